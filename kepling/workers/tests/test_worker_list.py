"""The workers list: filters by status, lingkungan and months in arrears, pages without counting, downloads."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kepling.accounts.models import User
from kepling.core.models import AuditLog
from kepling.reminders.tests.helpers import pay_months
from kepling.testing import City, make_worker
from kepling.workers.models import Worker

pytestmark = pytest.mark.django_db
LIST = reverse("workers:list")
NAME = re.compile(r'<span class="worker-item__name">([^<]+)</span>')


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [html.unescape(n) for n in NAME.findall(response.content.decode())]


def link(response: Any, rel: str) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)" rel="{rel}"', response.content.decode())
    return LIST + html.unescape(found[1]) if found else None


def every_page(client: Client, params: dict[str, str]) -> list[str]:
    """The names of the list across its pages, following its "next page" links."""
    response = client.get(LIST, params)
    seen = names(response)
    while (following := link(response, "next")) is not None:
        response = client.get(following)
        seen += names(response)
    return seen


@pytest.fixture
def behind(city: City) -> dict[str, Worker]:
    """Workers of two lingkungan of one kelurahan, with 0, 1, 2 and 4 months in arrears and never paid.

    The latest payment is on 10 Oct 2025, so figures are as of that day: September is the last month due.
    """
    first, second = city.lingkungan[0], city.lingkungan[1]
    workers = {
        "Adi Lancar": make_worker(first, nama="Adi Lancar"),
        "Budi Sebulan": make_worker(first, nama="Budi Sebulan"),
        "Cici Dua": make_worker(second, nama="Cici Dua"),
        "Dodi Empat": make_worker(second, nama="Dodi Empat"),
        "Eka Belum": make_worker(first, nama="Eka Belum"),
    }
    pay_months(workers["Adi Lancar"], ["2025-08", "2025-09", "2025-10"])
    pay_months(workers["Budi Sebulan"], ["2025-08"])
    pay_months(workers["Cici Dua"], ["2025-07"])
    pay_months(workers["Dodi Empat"], ["2025-05"])
    return workers


def test_months_in_arrears_follow_the_figures_definition(behind: dict[str, Worker], lurah: User) -> None:
    client = client_for(lurah)
    assert names(client.get(LIST, {"menunggak": "1"})) == ["Budi Sebulan", "Cici Dua", "Dodi Empat"]
    assert names(client.get(LIST, {"menunggak": "2"})) == ["Cici Dua", "Dodi Empat"]
    assert names(client.get(LIST, {"menunggak": "3"})) == ["Dodi Empat"]
    assert names(client.get(LIST, {"menunggak": "2", "status": "in_arrears"})) == ["Cici Dua"]


def test_lingkungan_filter_offers_and_accepts_only_the_user_s_lingkungan(
    behind: dict[str, Worker], city: City, lurah: User
) -> None:
    client = client_for(lurah)
    page = client.get(LIST).content.decode()
    offered = set(re.findall(r'<option value="(12\.71[^"]+)"', page))
    assert offered == {city.lingkungan[0].kode, city.lingkungan[1].kode}
    second = names(client.get(LIST, {"lingkungan": city.lingkungan[1].kode}))
    assert second == ["Cici Dua", "Dodi Empat"]
    both = client.get(LIST, {"lingkungan": city.lingkungan[0].kode, "menunggak": "1", "q": "budi"})
    assert names(both) == ["Budi Sebulan"]
    make_worker(city.lingkungan[2], nama="Fajar Tetangga")
    refused = client.get(LIST, {"lingkungan": city.lingkungan[2].kode})
    assert refused.status_code == 400
    assert "Fajar" not in refused.content.decode()


def test_a_kepling_is_offered_no_lingkungan_select(behind: dict[str, Worker], kepling_user: User) -> None:
    page = client_for(kepling_user).get(LIST).content.decode()
    assert 'name="lingkungan"' not in page
    assert 'name="menunggak"' in page


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("status", "aktif"),
        ("menunggak", "0"),
        ("menunggak", "4"),
        ("menunggak", "x"),
        ("lingkungan", "12.71.99.1001.01"),
        ("setelah", "abc"),
        ("sebelum", "-1"),
        ("setelah", "٣"),
        ("q", "x" * 101),
    ],
)
def test_a_filter_value_the_page_does_not_offer_is_a_400_with_the_reason(
    behind: dict[str, Worker], lurah: User, param: str, value: str
) -> None:
    response = client_for(lurah).get(LIST, {param: value})
    assert response.status_code == 400
    assert param in response.content.decode()
    assert not AuditLog.objects.filter(action="personal_data_viewed").exists()


def test_a_page_link_from_another_area_is_refused_without_saying_whose(
    behind: dict[str, Worker], city: City, kepling_user: User
) -> None:
    elsewhere = make_worker(city.lingkungan[3], nama="Zaki Jauh")
    response = client_for(kepling_user).get(LIST, {"setelah": str(elsewhere.pk)})
    assert response.status_code == 400
    assert "Zaki" not in response.content.decode()


def test_pages_follow_each_other_in_a_stable_order_without_counting(city: City, lurah: User) -> None:
    # Shared names: the order must break ties by id and never skip or repeat a worker.
    for n in range(61):
        make_worker(city.lingkungan[n % 2], nama=f"Pekerja {n % 7}")
    client = client_for(lurah)
    expected = [w.nama for w in Worker.objects.filter(kelurahan=city.kelurahan[0]).order_by("nama", "id")]
    with CaptureQueriesContext(connection) as queries:
        first = client.get(LIST)
    assert not [q["sql"] for q in queries if "__count" in q["sql"]]  # what Django's count() selects
    assert link(first, "prev") is None
    assert "Halaman berikutnya" in first.content.decode()
    assert every_page(client, {}) == expected
    # Back from the last page to the first, page by page.
    response = first
    pages = [names(first)]
    while (following := link(response, "next")) is not None:
        response = client.get(following)
        pages.append(names(response))
    backwards = [names(response)]
    while (previous := link(response, "prev")) is not None:
        response = client.get(previous)
        backwards.append(names(response))
    assert backwards[::-1] == pages
    assert "Halaman sebelumnya" not in response.content.decode()


def test_each_page_is_audited_with_the_workers_it_shows(behind: dict[str, Worker], lurah: User) -> None:
    client_for(lurah).get(LIST, {"menunggak": "2"})
    row = AuditLog.objects.get(action="personal_data_viewed", actor=lurah)
    assert sorted(row.subjects.values_list("worker_id", flat=True)) == sorted(
        behind[n].pk for n in ("Cici Dua", "Dodi Empat")
    )


@pytest.mark.parametrize("params", [{}, {"menunggak": "1"}, {"status": "protected", "q": "i"}])
def test_the_download_holds_the_screen_s_rows_in_its_order(
    city: City, behind: dict[str, Worker], admin_kota: User, params: dict[str, str]
) -> None:
    for n in range(40):
        make_worker(city.lingkungan[n % 8], nama=f"Pekerja {n % 5}")
    client = client_for(admin_kota)
    screen = every_page(client, params)
    response = client.get(LIST, {**params, "unduh": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == screen
    assert all("*" in r[1] for r in rows[1:])  # the NIK stays masked
    exported = AuditLog.objects.get(action="list_exported", actor=admin_kota)
    assert exported.new_values["rows"] == len(screen)
    xlsx = client.get(LIST, {**params, "unduh": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_list_of_one_lingkungan_says_how_many_and_a_wider_one_does_not(
    behind: dict[str, Worker], city: City, kepling_user: User, lurah: User
) -> None:
    mine = client_for(kepling_user).get(LIST).content.decode()
    assert 'data-total="3"' in mine
    wide = client_for(lurah).get(LIST).content.decode()
    assert "data-total" not in wide
    one = client_for(lurah).get(LIST, {"lingkungan": city.lingkungan[1].kode}).content.decode()
    assert 'data-total="2"' in one
