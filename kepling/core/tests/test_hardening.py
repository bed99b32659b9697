"""Security headers, no inline script or style, API tokens and the one-time password, sessions, DEBUG."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.testing import City, make_worker

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def _pages(city: City, user: User) -> list[str]:
    worker = make_worker(city.lingkungan[0])
    return ["/", "/pekerja/", "/pekerja/daftar/", f"/pekerja/{worker.pk}/", "/pengingat/", "/impor/", "/masuk/"]


@pytest.mark.parametrize("persona", ["kepling_user", "lurah", "admin_kota"])
def test_pages_carry_the_policies_and_no_inline_script_or_style(
    persona: str, request: pytest.FixtureRequest, city: City
) -> None:
    user: User = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    for path in [*_pages(city, user), "/dasbor/", "/dasbor/antrean/", "/rekonsiliasi/"]:
        response = client.get(path, follow=True)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "camera=()" in response.headers["Permissions-Policy"]
        if response.status_code == 200 and "text/html" in response.headers.get("Content-Type", ""):
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), path
            assert not INLINE_HANDLER.search(html), path
            assert not INLINE_STYLE.search(html), (path, INLINE_STYLE.search(html))


def test_an_api_token_waits_for_the_one_time_password_to_be_changed(city: City, kepling_user: User) -> None:
    _token, key = create_api_token(by=kepling_user, user=kepling_user, name="t")
    kepling_user.must_change_password = True
    kepling_user.save(update_fields=["must_change_password"])
    response = Client().get("/api/v1/workers", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"
    kepling_user.must_change_password = False
    kepling_user.save(update_fields=["must_change_password"])
    assert Client().get("/api/v1/workers", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_sessions_end_with_the_browser_and_within_a_working_day() -> None:
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def _settings_in_subprocess(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "NIK_ENCRYPTION_KEY"}}
    code = "import django, os; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings", "KEPLING_VAR_DIR": str(tmp_path)} | env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_outside_development_debug_is_off_and_the_development_keys_are_refused(tmp_path: Path) -> None:
    refused = _settings_in_subprocess({}, tmp_path)
    assert refused.returncode != 0 and "development keys" in refused.stderr
    production = _settings_in_subprocess(
        {
            "SECRET_KEY": "x" * 50,
            "NIK_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "NIK_LOOKUP_KEY": "a-real-lookup-key",
        },
        tmp_path,
    )
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "False"
    (tmp_path / "development").write_text("dev")
    development = _settings_in_subprocess({}, tmp_path)
    assert development.stdout.strip() == "True", development.stderr
