"""The web foundation through HTTP: sign-in, forced password change, home, navigation, admin."""

from __future__ import annotations

import pytest
from django.test import Client

from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog
from kepling.testing import TEST_PASSWORD, City, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lingkungan-saya-aman-2025"


def sign_in(client: Client, username: str, password: str = TEST_PASSWORD) -> object:
    return client.post("/masuk/", {"username": username, "password": password})


def test_login_page_is_in_bahasa_indonesia(client: Client) -> None:
    response = client.get("/masuk/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="id"' in html
    assert "Masuk" in html
    assert "Kata sandi" in html
    assert "Nama pengguna" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_login_page_serves_htmx_and_css_from_the_app(client: Client) -> None:
    html = client.get("/masuk/").content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer>' in html
    assert "/static/css/kepling.css" in html
    # Nothing is loaded from another host (no CDN).
    assert 'src="http' not in html and 'href="http' not in html and 'src="//' not in html


def test_home_requires_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_login_with_standard_fields_lands_on_home(client: Client, kepling_user: User) -> None:
    response = sign_in(client, "kepling-a")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == "/"  # type: ignore[index]
    home = client.get("/", follow=True)
    assert home.status_code == 200
    assert home.redirect_chain[-1][0] == "/pekerja/beranda/"  # the Kepling's own home
    assert "Lingkungan I" in home.content.decode()


def test_wrong_password_is_refused_in_indonesian(client: Client, kepling_user: User) -> None:
    response = client.post("/masuk/", {"username": "kepling-a", "password": "salah-sekali-ini"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_login_goes_home(client: Client, kepling_user: User) -> None:
    client.force_login(kepling_user)
    response = client.get("/masuk/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_a_post_form(client: Client, kepling_user: User) -> None:
    client.force_login(kepling_user)
    html = client.get("/", follow=True).content.decode()
    assert '<form method="post" action="/keluar/">' in html
    response = client.post("/keluar/")
    assert response.status_code == 302
    assert response["Location"] == "/masuk/"
    assert "_auth_user_id" not in client.session


def test_header_shows_name_role_and_area(client: Client, city: City) -> None:
    lurah = make_user("lurah-x", Role.LURAH, city.kelurahan[0], full_name="Siti Aminah")
    client.force_login(lurah)
    html = client.get("/", follow=True).content.decode()
    assert "Siti Aminah" in html
    assert "Lurah" in html
    assert "Kelurahan 1-1" in html


@pytest.mark.parametrize(
    ("persona", "sees_audit"),
    [
        ("kepling_user", False),
        ("lurah", False),
        ("camat", False),
        ("pimpinan", False),
        ("petugas_bpjs", False),
        ("admin_kota", True),
    ],
)
def test_navigation_adapts_to_role(
    client: Client, request: pytest.FixtureRequest, persona: str, sees_audit: bool
) -> None:
    user = request.getfixturevalue(persona)
    client.force_login(user)
    html = client.get("/", follow=True).content.decode()
    assert ('href="/audit/"' in html) is sees_audit
    assert ('href="/admin/"' in html) is sees_audit
    assert "Beranda" in html


def test_kepling_menu_offers_registration(client: Client, kepling_user: User) -> None:
    client.force_login(kepling_user)
    html = client.get("/", follow=True).content.decode()
    assert "Daftarkan pekerja" in html
    assert "Rekonsiliasi" not in html


# Forced password change ------------------------------------------------------------------


@pytest.fixture
def new_kepling(city: City) -> User:
    """A Kepling account created with a one-time password."""
    return make_user("kepling-baru", Role.KEPLING, city.lingkungan[2], must_change_password=True)


@pytest.mark.parametrize("path", ["/", "/audit/", "/admin/", "/tidak-ada/"])
def test_one_time_password_user_is_sent_to_password_change(
    client: Client, new_kepling: User, path: str
) -> None:
    client.force_login(new_kepling)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/akun/kata-sandi/"


def test_one_time_password_user_still_reaches_static_logout_and_change(
    client: Client, new_kepling: User
) -> None:
    client.force_login(new_kepling)
    assert client.get("/akun/kata-sandi/").status_code == 200
    static = client.get("/static/css/kepling.css")
    assert static.status_code != 302
    assert client.post("/keluar/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_in_with_one_time_password_leads_to_password_change(
    client: Client, new_kepling: User
) -> None:
    response = sign_in(client, "kepling-baru")
    follow = client.get(response["Location"])  # type: ignore[index]
    assert follow.status_code == 302
    assert follow["Location"] == "/akun/kata-sandi/"
    page = client.get("/akun/kata-sandi/").content.decode()
    assert "kata sandi sekali pakai" in page


def test_changing_the_password_clears_the_flag_and_is_audited(
    client: Client, new_kepling: User
) -> None:
    client.force_login(new_kepling)
    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    new_kepling.refresh_from_db()
    assert new_kepling.must_change_password is False
    assert new_kepling.check_password(NEW_PASSWORD)
    assert client.get("/", follow=True).status_code == 200  # still signed in, no more password redirect
    row = AuditLog.objects.get(action="password_changed")
    assert row.actor == new_kepling
    assert row.object_type == "user"
    assert row.object_id == str(new_kepling.pk)


def test_too_short_password_is_refused_in_indonesian(client: Client, new_kepling: User) -> None:
    client.force_login(new_kepling)
    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Pendek-123",
            "new_password2": "Pendek-123",
        },
    )
    assert response.status_code == 200
    assert "terlalu pendek" in response.content.decode()
    assert "12 karakter" in response.content.decode()
    new_kepling.refresh_from_db()
    assert new_kepling.must_change_password is True
    assert new_kepling.check_password(TEST_PASSWORD)
    assert not AuditLog.objects.filter(action="password_changed").exists()


def test_wrong_current_password_is_refused(client: Client, kepling_user: User) -> None:
    client.force_login(kepling_user)
    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": "bukan-ini-sandinya",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Kata sandi Anda saat ini salah" in response.content.decode()
    kepling_user.refresh_from_db()
    assert kepling_user.check_password(TEST_PASSWORD)


def test_lockout_message_is_indonesian(
    client: Client, kepling_user: User, settings: object
) -> None:
    settings.AXES_FAILURE_LIMIT = 2  # type: ignore[attr-defined]
    settings.AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"  # type: ignore[attr-defined]
    for _ in range(2):
        client.post("/masuk/", {"username": "kepling-a", "password": "salah-sekali-ini"})
    response = client.post("/masuk/", {"username": "kepling-a", "password": TEST_PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Masuk dikunci sementara" in html
    assert "15 menit" in html
    assert "_auth_user_id" not in client.session


# Django admin ------------------------------------------------------------------------------


def test_admin_refuses_a_lurah_even_with_staff_flag(client: Client, city: City) -> None:
    lurah = make_user("lurah-staf", Role.LURAH, city.kelurahan[0], is_staff=True)
    client.force_login(lurah)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert client.get("/admin/accounts/user/").status_code == 302


def test_admin_admits_the_city_administrator(client: Client, admin_kota: User) -> None:
    client.force_login(admin_kota)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Administrasi Kepling" in html
    users = client.get("/admin/accounts/user/")
    assert users.status_code == 200
    assert "admin" in users.content.decode()


def test_admin_user_form_has_role_area_and_flag(
    client: Client, admin_kota: User, kepling_user: User
) -> None:
    client.force_login(admin_kota)
    html = client.get(f"/admin/accounts/user/{kepling_user.pk}/change/").content.decode()
    for name in ("role", "wilayah", "full_name", "phone", "must_change_password"):
        assert f'name="{name}"' in html
    assert 'name="is_superuser"' not in html  # only a superuser hands out superuser rights


def test_admin_edit_of_a_user_is_audited(
    client: Client, admin_kota: User, kepling_user: User
) -> None:
    client.force_login(admin_kota)
    html = client.get(f"/admin/accounts/user/{kepling_user.pk}/change/").content.decode()
    assert "csrfmiddlewaretoken" in html
    response = client.post(
        f"/admin/accounts/user/{kepling_user.pk}/change/",
        {
            "username": "kepling-a",
            "full_name": "Budi Santoso",
            "phone": "",
            "email": "",
            "role": "kepling",
            "wilayah": kepling_user.wilayah_id,
            "is_active": "on",
            "must_change_password": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2025-05-14",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    kepling_user.refresh_from_db()
    assert kepling_user.full_name == "Budi Santoso"
    assert kepling_user.must_change_password is True
    row = AuditLog.objects.get(action="user_changed")
    assert row.actor == admin_kota
    assert row.new_values == {"full_name": "Budi Santoso", "must_change_password": True}


def test_audit_log_is_read_only_in_admin(client: Client, admin_kota: User) -> None:
    row = AuditLog.objects.create(
        actor=admin_kota, action="worker_viewed", object_type="worker", object_id="7"
    )
    before = AuditLog.objects.count()
    client.force_login(admin_kota)
    assert client.get("/admin/core/auditlog/").status_code == 200
    assert client.get("/admin/core/auditlog/add/").status_code == 403
    change = client.get(f"/admin/core/auditlog/{row.pk}/change/")
    assert change.status_code == 200
    assert 'name="action"' not in change.content.decode()
    assert client.post(f"/admin/core/auditlog/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditLog.objects.count() == before
