"""Officials finish their work in the browser, on the reference scenario.

A BPJS officer uploads an extract and links an unmatched payment to a suggested worker; a Lurah
downloads the "behind target" list and resets a Kepling's password; the city hands a lingkungan
over. Screenshots of each role's pages at 1366 and 1920 px are saved under test-artifacts/.
"""

from __future__ import annotations

import random
import re
import uuid

import pytest
from python_calamine import CalamineWorkbook

from conftest import screenshot
from kepling.imports.tests.helpers import PAYMENT_HEADER, write_csv

pytestmark = [pytest.mark.scenario, pytest.mark.browser]


MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]


def _month_after(chip: str) -> tuple[str, str]:
    """('YYYY-MM', 'Bulan YYYY') of the month after a month chip such as 'Agustus 2025'."""
    name, year = chip.split()
    index = MONTHS_ID.index(name) + 1
    year_number = int(year) + index // 12
    index %= 12
    return f"{year_number}-{index + 1:02d}", f"{MONTHS_ID[index]} {year_number}"


def _fact(page, label: str) -> str:  # type: ignore[no-untyped-def]
    """The text of a `<dt>label</dt><dd>...</dd>` pair on a worker's page."""
    return str(page.locator(f"dt:text-is('{label}') + dd").first.inner_text()).strip()


def test_bpjs_officer_links_an_unmatched_payment_to_a_suggested_worker(open_as, demo_site, tmp_path):
    page = open_as("bpjs")
    page.goto(demo_site.url + "/dasbor/12.71.01.1001.02/?status=in_arrears")
    worker_url = page.locator("#workers tbody th a").first.get_attribute("href")
    page.goto(demo_site.url + str(worker_url))
    kpj = _fact(page, "KPJ")
    months_before = page.locator(".month-chips li").all_inner_texts()
    missed, missed_chip = _month_after(months_before[-1])  # the first month the worker did not pay

    tag = uuid.uuid4().hex[:8]
    stranger = f"127101310199{random.randint(1000, 9999)}"  # a NIK the registry does not hold
    extract = write_csv(
        tmp_path / f"bpjs-{tag}.csv", PAYMENT_HEADER, [[stranger, kpj, missed, "16800", "2025-10-29", f"TAUT-{tag}"]]
    )
    page.goto(demo_site.url + "/impor/unggah/payments/")
    page.set_input_files("input[name=file]", str(extract))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/impor/*/")
    page.click("form[action$='/periksa/'] button")
    page.wait_for_load_state()
    page.click("form[action$='/terapkan/'] button")
    page.wait_for_selector("#result-title", timeout=60_000)

    # Matching runs after the import on its own: the payment appears in the queue without any command.
    row = page.locator("tr", has_text=f"TAUT-{tag}")
    for _attempt in range(60):
        page.goto(demo_site.url + "/rekonsiliasi/?kind=unmatched_payment")
        if row.count():
            break
        page.wait_for_timeout(1000)
    screenshot(page, "reconciliation-queue-bpjs")
    row.locator("a").first.click()
    page.wait_for_selector("#candidates")
    screenshot(page, "reconciliation-candidates-bpjs")
    candidate = page.locator("#candidates tbody tr", has_text=kpj)
    assert candidate.count() >= 1
    assert stranger not in page.inner_text("main")
    candidate.first.locator("button[data-candidate]").click()
    page.wait_for_load_state()
    assert page.locator("#candidates").count() == 0  # the item is decided

    page.goto(demo_site.url + str(worker_url))
    months_after = page.locator(".month-chips li").all_inner_texts()
    assert missed_chip in months_after and len(months_after) == len(months_before) + 1
    screenshot(page, "worker-after-link-bpjs")


def test_lurah_downloads_the_behind_target_list_with_the_screens_rows(open_as, demo_site, tmp_path):
    page = open_as("lurah")
    page.goto(demo_site.url + "/dasbor/kepling/")
    shown = [code.strip() for code in page.locator("table tbody th .cell-code").all_inner_texts()]
    assert shown, "the Lurah's kelurahan has Kepling below target in the reference scenario"
    with page.expect_download() as info:
        page.click("[data-download=xlsx]")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(str(saved))
    rows = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    assert [str(r[0]) for r in rows[1:]] == shown
    assert all(re.fullmatch(r"\+?\d*", str(r[4])) for r in rows[1:])  # phone numbers, never formulas


def test_lurah_resets_a_keplings_password_and_the_kepling_must_change_it(open_as, demo_site):
    lurah = open_as("lurah")
    lurah.goto(demo_site.url + "/akun/kepling/")
    screenshot(lurah, "kepling-accounts-lurah")
    lurah.click("[data-reset='kepling-12.71.01.1001.02']")
    password = lurah.locator("#one-time-password").inner_text().strip()
    assert re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", password)

    kepling = open_as("kepling-12.71.01.1001.02", phone=True, password=password)
    assert "/akun/kata-sandi/" in kepling.url
    kepling.goto(demo_site.url + "/pekerja/beranda/")
    assert "/akun/kata-sandi/" in kepling.url  # nothing else opens before the password is changed


def test_admin_hands_a_lingkungan_over_and_the_old_kepling_loses_access(open_as, demo_site):
    old = open_as("kepling-12.71.01.1001.03", phone=True)
    old.goto(demo_site.url + "/pekerja/")
    worker = old.locator("main a[href^='/pekerja/'][href$='/']").filter(has_text=re.compile(r"\w")).first
    worker_url = worker.get_attribute("href")
    assert old.goto(demo_site.url + str(worker_url)).status == 200

    admin = open_as("admin")
    admin.goto(demo_site.url + "/akun/serah-terima/")
    admin.fill("input[name=lingkungan]", "12.71.01.1001.03")
    admin.fill("input[name=username]", f"kepling-baru-{uuid.uuid4().hex[:6]}")
    admin.fill("input[name=full_name]", "Kepling Pengganti")
    admin.fill("input[name=phone]", "081234567890")
    admin.click("main form button[type=submit]")
    admin.wait_for_selector("#hand-over-done")
    screenshot(admin, "hand-over-admin")

    response = old.goto(demo_site.url + str(worker_url))
    assert response is not None and response.status in {403, 404}


PAGES = {
    "admin": ["/dasbor/", "/dasbor/kepling/", "/dasbor/peringkat/", "/rekonsiliasi/", "/audit/", "/akun/serah-terima/"],
    "pimpinan": ["/dasbor/", "/dasbor/peringkat/"],
    "bpjs": ["/dasbor/", "/rekonsiliasi/", "/impor/"],
    "camat": ["/dasbor/", "/dasbor/kepling/", "/dasbor/peringkat/"],
    "lurah": ["/dasbor/", "/dasbor/kepling/", "/dasbor/peringkat/", "/akun/kepling/"],
    "kepling": ["/pekerja/beranda/", "/dasbor/peringkat/"],
}


@pytest.mark.parametrize("username", list(PAGES))
def test_each_roles_pages_fit_at_office_screen_widths(open_as, demo_site, username):
    page = open_as(username)
    for path in PAGES[username]:
        for width in (1366, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(demo_site.url + path)
            assert response is not None and response.status == 200, path
            # Nothing wider than the window: wide tables scroll inside their own box.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} at {width}px overflows by {overflow}px"
            name = path.strip("/").replace("/", "-") or "home"
            screenshot(page, f"{username}-{name}-{width}")
