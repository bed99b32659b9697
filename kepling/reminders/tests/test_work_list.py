"""The follow-up list as a work list: order, progress, outcomes saved in place, promised dates."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kepling.accounts.models import User
from kepling.reminders.models import ContactOutcome
from kepling.reminders.queries import follow_up_list
from kepling.reminders.tests.helpers import d, pay, pay_months
from kepling.testing import City, make_worker
from kepling.workers.models import Worker

pytestmark = pytest.mark.django_db
LIST = reverse("reminders:follow_up")


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


@pytest.fixture
def behind(city: City) -> dict[str, Worker]:
    """As of 16 Oct 2025: one month, two months and three months in arrears, in lingkungan 0."""
    workers = {
        "one": make_worker(city.lingkungan[0], nama="Satu Bulan"),
        "three": make_worker(city.lingkungan[0], nama="Tiga Bulan"),
        "two": make_worker(city.lingkungan[0], nama="Dua Bulan"),
    }
    pay_months(workers["one"], ["2025-09"])
    pay_months(workers["two"], ["2025-08"])
    pay_months(workers["three"], ["2025-07"])
    return workers


def rows(html: str) -> dict[str, str]:
    """Each row of the list: the worker's name and the row's text, in list order."""
    found = re.findall(r'<li class="follow-item[^"]*"[^>]*>(.*?)</li>', html, re.S)
    return {re.search(r'follow-item__name"[^>]*>([^<]+)<', row)[1]: row for row in found}  # type: ignore[index]


def names(html: str) -> list[str]:
    return list(rows(html))


def test_the_longest_arrears_come_first(kepling_user: User, behind: dict[str, Worker]) -> None:
    html = client_for(kepling_user).get(LIST + "?tanggal=2025-10-16").content.decode()
    assert names(html) == ["Tiga Bulan", "Dua Bulan", "Satu Bulan"]


def test_an_outcome_saved_with_htmx_returns_the_row_done_and_the_progress(
    kepling_user: User, behind: dict[str, Worker]
) -> None:
    client = client_for(kepling_user)
    as_of = "2025-10-16"
    assert "0 dari 3 sudah dihubungi hari ini" in client.get(f"{LIST}?tanggal={as_of}").content.decode()
    worker = behind["two"]
    url = reverse("reminders:outcome", args=[worker.pk])
    answer = client.post(url, {"outcome": "reached", "tanggal": as_of}, HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert answer.status_code == 200
    assert html.lstrip().startswith(f'<li class="follow-item follow-item--done" id="pekerja-{worker.pk}"')
    assert 'hx-swap-oob="true"' in html and "1 dari 3 sudah dihubungi hari ini" in html
    assert ContactOutcome.objects.get().worker == worker


def test_without_javascript_the_outcome_goes_back_to_the_row(kepling_user: User, behind: dict[str, Worker]) -> None:
    worker = behind["one"]
    answer = client_for(kepling_user).post(
        reverse("reminders:outcome", args=[worker.pk]), {"outcome": "reached", "next": "/pengingat/?tanggal=2025-10-16"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/pengingat/?tanggal=2025-10-16#pekerja-{worker.pk}"


def test_a_promise_needs_its_date(kepling_user: User, behind: dict[str, Worker]) -> None:
    worker = behind["one"]
    answer = client_for(kepling_user).post(reverse("reminders:outcome", args=[worker.pk]), {"outcome": "promised"})
    assert answer.status_code == 302
    assert not ContactOutcome.objects.exists()


def test_a_promise_takes_the_worker_off_until_its_date_then_back_if_unpaid(
    kepling_user: User, behind: dict[str, Worker]
) -> None:
    promised, paid = behind["one"], behind["two"]
    client = client_for(kepling_user)
    for worker in (promised, paid):
        url = reverse("reminders:outcome", args=[worker.pk])
        client.post(url, {"outcome": "promised", "promised_on": "2025-10-20", "tanggal": "2025-10-16"})
    today = timezone.localdate()
    # Promises recorded today: on a list for another day, they wait for their date.
    for day in ("2025-10-17", "2025-10-19"):
        assert names(client.get(f"{LIST}?tanggal={day}").content.decode()) == ["Tiga Bulan"]
    # On the promised day, both come back first, unpaid.
    on_the_day = rows(client.get(f"{LIST}?tanggal=2025-10-20").content.decode())
    assert list(on_the_day)[:2] == ["Dua Bulan", "Satu Bulan"]
    assert all("Janji jatuh tempo" in on_the_day[n] for n in ("Dua Bulan", "Satu Bulan"))
    # A payment after the promise: no longer a promise to chase.
    pay(paid, "2025-09", str(today))
    later = rows(client.get(f"{LIST}?tanggal={today + datetime.timedelta(days=1)}").content.decode())
    assert "Janji jatuh tempo" in later["Satu Bulan"] and "Janji jatuh tempo" not in later.get("Dua Bulan", "")


def test_todays_list_keeps_the_workers_contacted_today(kepling_user: User, behind: dict[str, Worker]) -> None:
    worker = behind["one"]
    client_for(kepling_user).post(
        reverse("reminders:outcome", args=[worker.pk]), {"outcome": "promised", "promised_on": "2099-01-01"}
    )
    from kepling.dashboards.queries import default_as_of

    work = follow_up_list(kepling_user, default_as_of(), keep_contacted_today=True)
    row = next(r for r in work.rows if r.worker.pk == worker.pk)
    assert row.contacted_today and work.contacted_today == 1
    assert d("2099-01-01") == row.last_outcome.promised_on  # type: ignore[union-attr]


def test_the_worker_page_shows_the_contact_history(kepling_user: User, behind: dict[str, Worker]) -> None:
    worker = behind["one"]
    client = client_for(kepling_user)
    client.post(reverse("reminders:outcome", args=[worker.pk]), {"outcome": "promised", "promised_on": "2025-10-20"})
    html = client.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    history = html.split("Riwayat kontak", 1)[1].split("</section>", 1)[0]
    assert "Berjanji membayar" in history or "Janji" in history
    assert "janji bayar 20 Oktober 2025" in history and kepling_user.username in history


def test_a_worker_withdrawn_today_leaves_the_list(kepling_user: User, behind: dict[str, Worker]) -> None:
    from kepling.workers.actions import withdraw_worker

    worker = behind["one"]
    worker.credited_kepling = kepling_user
    worker.save()
    withdraw_worker(by=kepling_user, worker=worker, reason="Meninggal dunia")
    assert names(client_for(kepling_user).get(LIST + "?tanggal=2025-10-16").content.decode()) == [
        "Tiga Bulan",
        "Dua Bulan",
    ]
