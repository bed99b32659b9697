"""The Kepling's daily loop in Chromium at 360x740 on the reference scenario.

Each test works in its own lingkungan late in the code order (worker ids above 10,000), signed
in as that lingkungan's demo Kepling, so the tests do not see each other's changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from conftest import screenshot
from kepling.browsing import DemoSite
from kepling.workers.tests.test_browser_kepling import fill_worker, fresh_nik

pytestmark = [pytest.mark.scenario, pytest.mark.browser]

LATE_LINGKUNGAN_SCRIPT = """
from django.db.models import Count, Min
from kepling.workers.models import Worker
rows = (Worker.objects.values("lingkungan__kode").annotate(first=Min("id"), n=Count("id"))
        .filter(first__gt=10000, n__gte=12).order_by("-lingkungan__kode")[:8])
for row in rows:
    print("KODE", row["lingkungan__kode"])
"""


def late_lingkungan(demo_site: DemoSite, index: int) -> str:
    """The code of a lingkungan late in the code order whose workers all have ids above 10,000."""
    codes = re.findall(r"^KODE (\S+)$", demo_site.kepling("shell", "-c", LATE_LINGKUNGAN_SCRIPT), re.M)
    return codes[index]


def first_row_id(page: Page, *, with_phone: bool = True) -> str:
    rows = page.locator("li.follow-item")
    if with_phone:
        rows = rows.filter(has=page.locator("button.button--wa"))
    row_id = rows.first.get_attribute("id")
    assert row_id is not None
    return row_id.removeprefix("pekerja-")


def test_a_corrected_phone_number_gets_the_next_reminder(demo_site: DemoSite, open_as: Callable[..., Page]) -> None:
    page = open_as(f"kepling-{late_lingkungan(demo_site, 0)}", phone=True)
    page.goto(demo_site.url + "/pengingat/")
    worker_id = first_row_id(page)
    page.goto(f"{demo_site.url}/pekerja/{worker_id}/")
    screenshot(page, "kepling-worker")
    page.get_by_role("link", name="Koreksi data").click()
    page.fill("input[name=kontak-no_hp]", "0813 5555 0101")
    screenshot(page, "kepling-correct")
    page.get_by_role("button", name="Simpan nama dan nomor").click()
    expect(page.locator(".message--success")).to_contain_text("Koreksi disimpan")
    expect(page.locator("a[href^='tel:']").first).to_have_text("+6281355550101")

    page.goto(demo_site.url + "/pengingat/")
    # The product answers with a redirect to WhatsApp (wa.me) in a new tab; the test machine is
    # offline, so the redirect's request is what shows where the reminder goes.
    with page.context.expect_event("request", predicate=lambda r: r.url.startswith("https://wa.me/")) as sent:
        page.locator(f"#pekerja-{worker_id} button.button--wa").click()
    assert sent.value.url.startswith("https://wa.me/6281355550101?text=")
    assert "NIK%20" in sent.value.url or "KPJ%20" in sent.value.url


def test_a_promise_for_the_20th_brings_the_worker_back_on_the_20th(
    demo_site: DemoSite, open_as: Callable[..., Page]
) -> None:
    page = open_as(f"kepling-{late_lingkungan(demo_site, 1)}", phone=True)
    page.goto(demo_site.url + "/pengingat/")
    as_of = page.locator("input[name=tanggal]").first.get_attribute("value")
    assert as_of is not None
    year, month, day = (int(part) for part in as_of.split("-"))
    year, month = (year + (month == 12), month % 12 + 1) if day >= 20 else (year, month)
    the_20th, the_19th = f"{year}-{month:02d}-20", f"{year}-{month:02d}-19"
    worker_id = first_row_id(page, with_phone=False)
    row = page.locator(f"#pekerja-{worker_id}")
    row.locator("select[name=outcome]").select_option("promised")
    row.locator("input[name=promised_on]").fill(the_20th)
    row.get_by_role("button", name="Simpan").click()
    expect(page.locator(f"#pekerja-{worker_id}")).to_have_class(re.compile("follow-item--done"))
    expect(page.locator(f"#pekerja-{worker_id}")).to_contain_text("Berjanji membayar")

    page.goto(f"{demo_site.url}/pengingat/?tanggal={the_19th}")
    expect(page.locator(f"#pekerja-{worker_id}")).to_have_count(0)
    page.goto(f"{demo_site.url}/pengingat/?tanggal={the_20th}")
    expect(page.locator(f"#pekerja-{worker_id}")).to_contain_text("Janji jatuh tempo")
    # Most urgent first: the promise that fell due heads the list.
    assert page.locator("li.follow-item").first.get_attribute("id") == f"pekerja-{worker_id}"
    page.goto(f"{demo_site.url}/pekerja/{worker_id}/")
    expect(page.locator(".contact-history")).to_contain_text("janji bayar 20 ")


def test_working_through_the_list_keeps_the_page_still(demo_site: DemoSite, open_as: Callable[..., Page]) -> None:
    page = open_as(f"kepling-{late_lingkungan(demo_site, 2)}", phone=True)
    page.goto(demo_site.url + "/pengingat/")
    screenshot(page, "kepling-follow-up")
    rows = page.locator("li.follow-item")
    total = rows.count()
    assert total >= 4
    progress = page.get_by_test_id("follow-progress")
    expect(progress).to_contain_text(f"0 dari {total} sudah dihubungi hari ini")
    for done, index in enumerate(range(1, 4), start=1):
        row = rows.nth(index)
        row.scroll_into_view_if_needed()
        page.mouse.wheel(0, 120)
        page.wait_for_timeout(200)
        scroll_before = page.evaluate("window.scrollY")
        top_before = row.bounding_box()["y"]  # type: ignore[index]
        row.locator("select[name=outcome]").select_option("reached")
        row.get_by_role("button", name="Simpan").click()
        expect(rows.nth(index)).to_have_class(re.compile("follow-item--done"))
        expect(progress).to_contain_text(f"{done} dari {total} sudah dihubungi hari ini")
        assert page.evaluate("window.scrollY") == scroll_before
        assert abs(rows.nth(index).bounding_box()["y"] - top_before) < 2  # type: ignore[index]
    assert rows.count() == total
    screenshot(page, "kepling-follow-up-worked")


COUNT_SCRIPT = """
from kepling.core.crypto import lookup_hash
from kepling.workers.models import Worker
print("COUNT", Worker.objects.filter(nik_hash=lookup_hash("{nik}")).count())
"""


def test_a_registration_resent_after_a_dropped_connection_registers_once(
    demo_site: DemoSite, open_as: Callable[..., Page]
) -> None:
    page = open_as(f"kepling-{late_lingkungan(demo_site, 3)}", phone=True)
    page.goto(demo_site.url + "/pekerja/beranda/")
    before = int(page.get_by_test_id("registered").inner_text().replace(".", ""))
    page.goto(demo_site.url + "/pekerja/daftar/")
    nik = fresh_nik(demo_site)
    fill_worker(page, nik)
    page.check("input[name=consent]")
    dropped: list[str] = []

    def drop_the_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not dropped:
            route.fetch()  # the server receives and saves the registration...
            dropped.append(route.request.url)
            route.abort("connectionreset")  # ...but the answer never reaches the phone
        else:
            route.continue_()

    page.route("**/pekerja/daftar/", drop_the_first_answer)
    page.get_by_role("button", name="Daftarkan pekerja").click()
    expect(page.locator("#submit-offline")).to_be_visible()
    assert dropped
    expect(page.locator("input[name=nama]")).to_have_value("Ahmad Uji Peramban")
    screenshot(page, "kepling-register-offline")
    page.get_by_role("button", name="Daftarkan pekerja").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ahmad Uji Peramban")
    expect(page.get_by_test_id("how-to-pay")).to_contain_text("Bayar")
    screenshot(page, "kepling-registered-how-to-pay")
    output = demo_site.kepling("shell", "-c", COUNT_SCRIPT.format(nik=nik))
    assert re.findall(r"^COUNT (\d+)$", output, re.M) == ["1"]
    page.goto(demo_site.url + "/pekerja/beranda/")
    assert int(page.get_by_test_id("registered").inner_text().replace(".", "")) == before + 1


SKIP = ("/keluar/", "/masuk/", "/static/")


def test_every_link_and_form_from_the_keplings_pages_answers(
    demo_site: DemoSite, open_as: Callable[..., Page]
) -> None:
    page = open_as(f"kepling-{late_lingkungan(demo_site, 4)}", phone=True)
    start = demo_site.url + "/pekerja/beranda/"
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if url in seen:
            continue
        response = page.request.get(url, max_redirects=0)
        seen[url] = response.status
        if response.status in (301, 302):
            queue.append(urljoin(url, response.headers["location"]))
            continue
        if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        html = response.text()
        for target in re.findall(r'(?:href|action)="([^"#]*)', html):
            absolute = urljoin(url, target.replace("&amp;", "&"))
            parsed = urlparse(absolute)
            if parsed.netloc != urlparse(demo_site.url).netloc or parsed.path.startswith(SKIP):
                continue
            if absolute not in seen:
                queue.append(absolute)
    broken = {url: status for url, status in seen.items() if status == 404 or status >= 500}
    assert not broken, broken
    paths = {urlparse(url).path for url in seen}
    assert {"/pengingat/", "/pekerja/", "/pekerja/daftar/"} <= paths
    assert any(re.fullmatch(r"/pekerja/\d{5,}/ubah/", path) for path in paths)
    assert len(seen) > 30
