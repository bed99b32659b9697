"""The Kepling's phone workflow in Chromium at 360 px, against the reference scenario."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from conftest import screenshot
from kepling.browsing import DemoSite

pytestmark = [pytest.mark.scenario, pytest.mark.browser]

OWN_LINGKUNGAN = "12.71.01.1001.01"

FRESH_NIK_SCRIPT = """
from kepling.core.crypto import lookup_hash
from kepling.workers.models import Worker
for serial in range(9000, 10000):
    nik = f"127101150595{serial:04d}"
    if not Worker.objects.filter(nik_hash=lookup_hash(nik)).exists():
        print(nik)
        break
"""


def fresh_nik(demo_site: DemoSite) -> str:
    """A valid NIK (born 15 May 1995, a man) that no worker of the scenario holds."""
    output = demo_site.kepling("shell", "-c", FRESH_NIK_SCRIPT)
    return re.findall(r"^\d{16}$", output, re.MULTILINE)[-1]


FEE_SCRIPT = """
from django.utils import timezone
from kepling.contributions.tariffs import amount_due
from kepling.core.formatting import format_rupiah
month = timezone.localdate().replace(day=1)
due = amount_due(month=month, program="JKK-JKM", sektor="lainnya", sumber_iuran="mandiri", penghasilan={})
print(format_rupiah(due))
"""


def expected_fee(demo_site: DemoSite, income: int) -> str:
    """The contribution the product's tariff function gives for this month, formatted."""
    return demo_site.kepling("shell", "-c", FEE_SCRIPT.format(income)).split()[-1]


def count(page: Page, testid: str) -> int:
    return int(page.get_by_test_id(testid).inner_text().replace(".", ""))


def fill_worker(page: Page, nik: str) -> None:
    page.fill("input[name=nik]", nik)
    page.fill("input[name=nama]", "Ahmad Uji Peramban")
    page.check("input[name=jenis_kelamin][value=L]")
    page.fill("input[name=tanggal_lahir]", "1995-05-15")
    page.fill("input[name=no_hp]", "0812 7777 1234")
    page.fill("input[name=pekerjaan]", "Pedagang kaki lima")
    page.check("input[name=sektor][value=lainnya]")
    page.fill("input[name=penghasilan]", "1.500.000")
    page.check("input[name=program][value=JKK-JKM]")


def test_kepling_registers_a_worker_on_a_phone(demo_site: DemoSite, open_as: Callable[..., Page]) -> None:
    page = open_as("kepling", phone=True)
    page.goto(demo_site.url + "/pekerja/beranda/")
    expect(page.get_by_text("pekerja terlindungi")).to_be_visible()
    before = count(page, "registered")
    protected = count(page, "protected")
    screenshot(page, "kepling-home")

    page.locator("main a.button--big").click()
    nik = fresh_nik(demo_site)
    fill_worker(page, nik)
    expect(page.locator("#nik-status")).to_contain_text("NIK sah dan belum terdaftar")
    expect(page.locator("#fee-amount")).to_have_text(expected_fee(demo_site, 1_500_000))
    page.check("input[name=consent]")
    screenshot(page, "kepling-register")
    page.get_by_role("button", name="Daftarkan pekerja").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ahmad Uji Peramban")
    success = page.locator(".message--success")
    expect(success).to_contain_text(f"{protected} dari 25 terlindungi, {before + 1} terdaftar")
    page.goto(demo_site.url + "/pekerja/beranda/")
    assert count(page, "registered") == before + 1

    page.goto(demo_site.url + "/pekerja/?q=Ahmad+Uji")
    expect(page.locator(".worker-item")).to_have_count(1)
    page.goto(demo_site.url + "/pekerja/")
    screenshot(page, "kepling-workers")


def test_a_bad_nik_shows_its_message_and_saves_nothing(demo_site: DemoSite, open_as: Callable[..., Page]) -> None:
    page = open_as("kepling", phone=True)
    page.goto(demo_site.url + "/pekerja/beranda/")
    before = count(page, "registered")
    page.goto(demo_site.url + "/pekerja/daftar/")
    fill_worker(page, "12710115059")
    expect(page.locator("#nik-status")).to_contain_text("NIK harus 16 angka")
    page.check("input[name=consent]")
    page.get_by_role("button", name="Daftarkan pekerja").click()
    expect(page.locator("#row-nik .errorlist")).to_contain_text("NIK harus 16 digit; yang ini 11 digit.")
    expect(page.locator("#form-problems")).to_be_visible()
    screenshot(page, "kepling-register-error")
    page.goto(demo_site.url + "/pekerja/beranda/")
    assert count(page, "registered") == before


def test_another_lingkungan_s_worker_is_not_found(demo_site: DemoSite, open_as: Callable[..., Page]) -> None:
    other_id = demo_site.kepling(
        "shell",
        "-c",
        "from kepling.workers.models import Worker; "
        f"print(Worker.objects.exclude(lingkungan__kode='{OWN_LINGKUNGAN}').values_list('id', flat=True).first())",
    ).split()[-1]
    page = open_as("kepling", phone=True)
    response = page.goto(f"{demo_site.url}/pekerja/{other_id}/")
    assert response is not None and response.status == 404
    # The demo site runs with DEBUG on, so Django's own "not found" page answers.
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Page not found|Halaman tidak ditemukan"))
