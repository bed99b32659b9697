"""The demo site serves its sign-in page in Bahasa Indonesia and every demo account lands on its home."""

import pytest

from conftest import screenshot

pytestmark = [pytest.mark.scenario, pytest.mark.browser]


@pytest.mark.parametrize("username", ["admin", "pimpinan", "bpjs", "camat", "lurah", "kepling"])
def test_demo_accounts_sign_in_and_land_on_their_home(open_as, username):
    page = open_as(username, phone=username == "kepling")
    assert "/masuk/" not in page.url
    assert page.locator("body").inner_text()
    screenshot(page, f"home-{username}")
