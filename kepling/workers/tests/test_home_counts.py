"""Every count on the Kepling's home is the size of the list it links to, for the same date."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kepling.accounts.models import User
from kepling.reminders.tests.helpers import pay_months
from kepling.testing import City, make_worker
from kepling.workers.tests.test_views import form_data


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def linked_counts(html: str) -> list[tuple[str, int]]:
    """(link, count) for every count on the home that links to a list."""
    pattern = r'<a href="([^"]+)"[^>]*>\s*(?:<strong[^>]*>|<span class="todo__count"[^>]*>)?\s*([\d.]+)\s*<'
    pairs = re.findall(pattern, html)
    return [(href.replace("&amp;", "&"), int(n.replace(".", ""))) for href, n in pairs]


def list_size(client: Client, href: str) -> int:
    html = client.get(href).content.decode()
    if href.startswith(reverse("reminders:follow_up")):
        return len(re.findall(r'data-testid="follow-row"', html))
    total = re.search(r'id="list-summary" data-total="(\d+)"', html)
    assert total is not None, href
    return int(total[1])


@pytest.mark.django_db
def test_home_counts_equal_the_lists_they_link_to(city: City, kepling_user: User) -> None:
    paid_up, behind, gone = (make_worker(city.lingkungan[0], nama=n) for n in ("Lunas", "Telat", "Keluar"))
    make_worker(city.lingkungan[0], nama="Belum Bayar")
    make_worker(city.lingkungan[1], nama="Tetangga")
    pay_months(paid_up, ["2025-08", "2025-09", "2025-10"])
    pay_months(behind, ["2025-07"])
    gone.withdrawn_on = timezone.localdate()
    gone.save()
    client = client_for(kepling_user)
    # Registered today, after the latest BPJS data: counted on the home and in the list alike.
    assert client.post(reverse("workers:register"), form_data()).status_code == 302
    home = client.get(reverse("workers:kepling_home")).content.decode()
    counts = linked_counts(home)
    hrefs = {href for href, _ in counts}
    assert {reverse("workers:list"), reverse("workers:list") + "?status=never_paid"} <= hrefs
    assert {reverse("workers:list") + f"?status={s}" for s in ("protected", "in_arrears", "inactive")} <= hrefs
    for href, count in counts:
        assert list_size(client, href) == count, href
    follow = re.search(r'data-testid="to_follow_up_link">[^\d]*([\d.]+)', home)
    assert follow is not None
    assert list_size(client, reverse("reminders:follow_up")) == int(follow[1])
    assert dict(counts)[reverse("workers:list")] == 4  # Lunas, Telat, Belum Bayar and today's worker
