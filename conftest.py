"""Personas shared by every app's tests: a city, and one user of each role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kepling.accounts.models import Role, User
from kepling.browsing import CHROMIUM, CHROMIUM_ARGS, DemoSite, start_demo_site
from kepling.testing import City, build_city, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `postgres` exercise PostgreSQL-only paths: skipped, with their reason, on any other database."""
    marker = item.get_closest_marker("postgres")
    if marker is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(str(marker.kwargs.get("reason", "needs PostgreSQL")))


@pytest.fixture(autouse=True)
def summaries_computed_on_read(settings: Any) -> None:
    """Run the summary refresh job where a page asks for figures (production asks a background worker)."""
    settings.SUMMARIES_COMPUTE_ON_READ = True


@pytest.fixture
def city(db: None) -> City:
    return build_city()


@pytest.fixture
def kepling_user(city: City) -> User:
    """The Kepling of 12.71.01.1001.01."""
    return make_user("kepling-a", Role.KEPLING, city.lingkungan[0])


@pytest.fixture
def other_kepling(city: City) -> User:
    """The Kepling of the next lingkungan, 12.71.01.1001.02."""
    return make_user("kepling-b", Role.KEPLING, city.lingkungan[1])


@pytest.fixture
def lurah(city: City) -> User:
    return make_user("lurah", Role.LURAH, city.kelurahan[0])


@pytest.fixture
def camat(city: City) -> User:
    return make_user("camat", Role.CAMAT, city.kecamatan[0])


@pytest.fixture
def admin_kota(city: City) -> User:
    return make_user("admin", Role.ADMIN_KOTA, city.kota, is_staff=True)


@pytest.fixture
def petugas_bpjs(city: City) -> User:
    return make_user("bpjs", Role.PETUGAS_BPJS, city.kota)


@pytest.fixture
def pimpinan(city: City) -> User:
    return make_user("pimpinan", Role.PIMPINAN, city.kota)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """The product serving the reference scenario from its own database (browser tests)."""
    yield from start_demo_site(tmp_path_factory.mktemp("demo-site"))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, for one test module.

    Playwright's synchronous API keeps an event loop on the main thread while it is open, and
    Django refuses database calls from a thread with a running loop: closed at the end of each
    module, it cannot break the tests that follow, whatever their order.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


SCREENSHOTS = Path(__file__).parent / "test-artifacts" / "screenshots"


@pytest.fixture
def open_as(demo_site: DemoSite, chromium: Browser) -> Iterator[Callable[..., Page]]:
    """`open_as("lurah")` gives a signed-in page (viewport 1280x800, or `phone=True` for 360x740)."""
    contexts: list[BrowserContext] = []

    def sign_in(username: str, *, phone: bool = False, password: str = "kepling-demo") -> Page:
        viewport = {"width": 360, "height": 740} if phone else {"width": 1280, "height": 800}
        context = chromium.new_context(viewport=viewport, locale="id-ID")  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.goto(demo_site.url + "/masuk/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield sign_in
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
