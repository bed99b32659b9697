"""The dashboards in a browser, on the reference scenario: drill-down, each role's page, a frozen ranking."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import screenshot
from kepling.browsing import DemoSite

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.scenario, pytest.mark.browser]

LINGKUNGAN = "12.71.01.1001.01"


def test_a_lurah_drills_down_from_the_dashboard_to_a_worker(open_as: Callable[..., Page], demo_site: DemoSite) -> None:
    page = open_as("lurah")
    page.goto(demo_site.url + "/dasbor/")
    assert page.locator("h1").inner_text() == "Pasar Baru"
    page.locator("#units tbody a", has_text="Lingkungan I").first.click()
    page.wait_for_url(re.compile(rf"/dasbor/{re.escape(LINGKUNGAN)}/"))
    assert page.locator("#workers tbody tr").count() > 0
    assert "Pasar Baru" in page.locator(".breadcrumbs").inner_text()
    page.locator("#workers tbody th a").first.click()
    page.wait_for_url(re.compile(r"/pekerja/\d+/$"))


def test_sorting_the_units_by_keyboard(open_as: Callable[..., Page], demo_site: DemoSite) -> None:
    page = open_as("camat")
    page.goto(demo_site.url + "/dasbor/")
    header = page.locator("#units thead a", has_text="Terlindungi")
    header.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"urut=-terlindungi"))
    cells = page.locator("#units tbody tr td:nth-child(3)").all_inner_texts()
    values = [int(c.replace(".", "")) for c in cells]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("username", ["lurah", "camat", "admin", "pimpinan", "bpjs"])
def test_each_role_lands_on_its_dashboard(open_as: Callable[..., Page], demo_site: DemoSite, username: str) -> None:
    page = open_as(username)
    page.goto(demo_site.url + "/dasbor/")
    assert page.locator(".progress-card").count() == 1
    assert page.locator("svg[role=img] > title").count() == 2
    screenshot(page, f"dashboard-{username}")
    phone = open_as(username, phone=True)
    phone.goto(demo_site.url + "/dasbor/")
    screenshot(phone, f"dashboard-{username}-phone")


def test_rankings_and_queues_pages(open_as: Callable[..., Page], demo_site: DemoSite) -> None:
    page = open_as("admin")
    page.goto(demo_site.url + "/dasbor/peringkat/?tab=kepling")
    assert "50%" in page.locator(".formula").inner_text()
    screenshot(page, "rankings-admin")
    lurah = open_as("lurah")
    lurah.goto(demo_site.url + "/dasbor/antrean/")
    assert lurah.locator("h1").inner_text()
    screenshot(lurah, "queues-lurah")


FIND_UNPAID = """
from kepling.contributions.status import with_status
from kepling.contributions.tariffs import amount_due
from kepling.core.crypto import decrypt_text
from kepling.workers.models import Worker
import datetime
as_of = datetime.date.fromisoformat("{as_of}")
for w in with_status(Worker.objects.filter(lingkungan__kode="{kode}"), as_of).filter(status="never_paid"):
    due = amount_due(month=as_of.replace(day=1), program=w.program, sektor=w.sektor,
                     sumber_iuran=w.sumber_iuran, penghasilan=w.penghasilan)
    print("BAYAR", decrypt_text(w.nik_encrypted), due)
"""


def test_a_published_ranking_does_not_change_after_new_payments(
    open_as: Callable[..., Page], demo_site: DemoSite, tmp_path: Path
) -> None:
    admin = open_as("admin")
    admin.goto(demo_site.url + "/dasbor/peringkat/")
    as_of = admin.locator("input[name=as_of]").input_value()
    admin.fill("input[name=title]", "Penghargaan uji")
    with admin.expect_navigation(timeout=60_000):
        admin.locator("form[action$='terbitkan/'] button[type=submit]").click()
    assert re.search(r"/dasbor/peringkat/arsip/\d+/$", admin.url), admin.locator("main").inner_text()[:500]
    snapshot_url = admin.url
    screenshot(admin, "ranking-published")

    lurah = open_as("lurah")

    def row(url: str) -> str:
        lurah.goto(url)
        return lurah.locator("tbody tr", has_text=LINGKUNGAN).inner_text()

    frozen = row(snapshot_url + "?tab=kepling")
    live_before = row(f"{demo_site.url}/dasbor/peringkat/?tab=kepling&per={as_of}")

    unpaid = demo_site.kepling("shell", "-c", FIND_UNPAID.format(as_of=as_of, kode=LINGKUNGAN)).split("\n")
    lines = ["nik,periode,jumlah,tanggal_bayar,referensi"]
    for i, item in enumerate(line for line in unpaid if line.startswith("BAYAR ")):
        _, nik, due = item.split()
        lines.append(f"{nik},{as_of[:7]},{due},{as_of},UJI-PERINGKAT-{i}")
    assert len(lines) > 1, "the scenario has a never-paid worker in this lingkungan"
    payments = tmp_path / "pembayaran.csv"
    payments.write_text("\n".join(lines) + "\n", encoding="utf-8")
    demo_site.kepling("import_payments", str(payments))

    live_after = row(f"{demo_site.url}/dasbor/peringkat/?tab=kepling&per={as_of}")
    assert live_after != live_before  # the live figures moved...
    assert row(snapshot_url + "?tab=kepling") == frozen  # ...the published ranking did not
