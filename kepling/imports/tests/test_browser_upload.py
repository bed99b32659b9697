"""A BPJS officer uploads an extract in the browser, watches it apply and downloads the error report."""

from __future__ import annotations

import uuid

import pytest

from conftest import screenshot
from kepling.imports.tests.helpers import PAYMENT_HEADER, UNKNOWN_NIK, write_csv

pytestmark = [pytest.mark.scenario, pytest.mark.browser]


def test_upload_check_apply_watch_progress_and_download_errors(open_as, demo_site, tmp_path):
    tag = uuid.uuid4().hex[:8]
    extract = write_csv(
        tmp_path / f"ekstrak-{tag}.csv",
        PAYMENT_HEADER,
        [
            [UNKNOWN_NIK, "", "2025-09", "16800", "2025-09-10", f"UJI-{tag}-1"],
            [UNKNOWN_NIK, "", "2025-10", "16800", "2025-10-10", f"UJI-{tag}-2"],
            [UNKNOWN_NIK, "", "2025-13", "16800", "2025-10-10", f"UJI-{tag}-3"],
            ["123", "", "2025-10", "=1+1", "2025-10-10", f"UJI-{tag}-4"],
        ],
    )
    page = open_as("bpjs")
    page.goto(demo_site.url + "/impor/unggah/payments/")
    page.set_input_files("input[name=file]", str(extract))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/impor/*/")
    assert f"UJI-{tag}-1" in page.inner_text("main")

    page.click("form[action$='/periksa/'] button")
    page.wait_for_load_state()
    page.click("form[action$='/terapkan/'] button")
    page.wait_for_selector(".progress", timeout=10_000)
    screenshot(page, "import-progress")
    page.wait_for_selector("#result-title", timeout=30_000)
    assert page.locator('#result-title ~ [data-testid=counts] [data-count="applied"]').inner_text() == "2"
    assert page.locator('#result-title ~ [data-testid=counts] [data-count="rejected"]').inner_text() == "2"
    screenshot(page, "import-result")

    with page.expect_download() as info:
        page.click("[data-testid=error-report]")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(str(saved))
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    assert sorted(int(float(str(r[0]))) for r in rows[1:] if r[0] != "") >= [4, 5]
