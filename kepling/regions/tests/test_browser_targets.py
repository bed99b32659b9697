"""Admin kota changes a lingkungan's target with a reason in the browser and sees it in the history.

Screenshots of the master-data pages at 1366 px are saved under test-artifacts/screenshots/.
"""

from __future__ import annotations

import uuid

import pytest

from conftest import screenshot

pytestmark = [pytest.mark.scenario, pytest.mark.browser]

WIDTH = 1366


def test_admin_changes_a_target_with_a_reason_and_sees_it_in_the_history(open_as, demo_site):
    page = open_as("admin")
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(demo_site.url + "/dasbor/")
    page.click("nav.site-nav a[href='/wilayah/']")
    page.click("main a[href='/wilayah/12.71.01.1001/']")
    page.wait_for_selector("#lingkungan")
    screenshot(page, f"lingkungan-list-admin-{WIDTH}")
    page.locator("#lingkungan tbody th a").last.click()
    page.wait_for_selector("#target-form")
    old = int(page.inner_text("#current-target").replace(".", ""))
    new, reason = old + 5, f"Rapat evaluasi {uuid.uuid4().hex[:6]}"

    page.fill("#target-form input[name=target]", str(new))
    page.click("#target-form button[type=submit]")  # no reason: refused, nothing saved
    assert page.locator("#target-form .errorlist").count() >= 1
    assert int(page.inner_text("#current-target").replace(".", "")) == old

    page.fill("#target-form input[name=target]", str(new))
    page.fill("#target-form input[name=reason]", reason)
    page.click("#target-form button[type=submit]")
    page.wait_for_load_state()
    assert int(page.inner_text("#current-target").replace(".", "")) == new
    latest = page.locator("#target-history tbody tr").first.inner_text()
    assert reason in latest and f"{old} → {new}" in latest
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the lingkungan page overflows by {overflow}px"
    screenshot(page, f"lingkungan-target-admin-{WIDTH}")


@pytest.mark.parametrize("path", ["/akun/pengguna/", "/akun/pengguna/baru/", "/pengingat/aturan/",
                                  "/pengingat/kanal/"])
def test_master_data_pages_fit_an_office_screen(open_as, demo_site, path):
    page = open_as("admin")
    page.set_viewport_size({"width": WIDTH, "height": 900})
    response = page.goto(demo_site.url + path)
    assert response is not None and response.status == 200
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} overflows by {overflow}px"
    screenshot(page, f"admin-{path.strip('/').replace('/', '-')}-{WIDTH}")
