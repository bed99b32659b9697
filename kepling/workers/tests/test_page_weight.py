"""The page-weight budget of the Kepling's pages: HTML + CSS + JS of each page, gzip-compressed.

Run `.venv/bin/pytest kepling/workers/tests/test_page_weight.py -q -s` to print the weights
(docs/performance.md keeps the budget and the figures measured).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from kepling.accounts.models import User
from kepling.reminders.tests.helpers import pay_months
from kepling.testing import City, make_worker

# Bytes on the wire for one page, first visit (nothing cached): a few seconds on a weak 3G link.
BUDGET_BYTES = 35_000


def compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def asset_bytes(html: str) -> dict[str, int]:
    """The compressed size of each stylesheet and script the page loads."""
    sizes = {}
    for url in re.findall(r'<(?:link rel="stylesheet" href|script src)="/static/([^"]+)"', html):
        path = finders.find(url)
        assert path is not None, url
        sizes[url] = compressed(Path(str(path)).read_bytes())
    return sizes


@pytest.mark.django_db
def test_every_kepling_page_keeps_to_the_budget(city: City, kepling_user: User) -> None:
    workers = [
        make_worker(city.lingkungan[0], nama=f"Pekerja Uji {i}", credited_kepling=kepling_user) for i in range(25)
    ]
    for worker in workers[:15]:
        pay_months(worker, ["2025-07"])
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(kepling_user)
    pages = {
        "home": reverse("workers:kepling_home"),
        "register": reverse("workers:register"),
        "follow-up": reverse("reminders:follow_up") + "?tanggal=2025-10-16",
        "my workers": reverse("workers:list"),
        "worker": reverse("workers:detail", args=[workers[0].pk]),
        "correct": reverse("workers:correct", args=[workers[0].pk]),
    }
    weights = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assets = asset_bytes(html)
        weights[name] = (compressed(response.content), sum(assets.values()), sorted(assets))
    for name, (html_bytes, asset_total, linked) in weights.items():
        print(f"{name:12} html {html_bytes:6d}  css+js {asset_total:6d}  total {html_bytes + asset_total:6d}  {linked}")
    over = {name: h + a for name, (h, a, _) in weights.items() if h + a > BUDGET_BYTES}
    assert not over, over
