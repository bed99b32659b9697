"""People in the app: a Lurah resets a Kepling's password; the city hands a lingkungan to a new Kepling."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog
from kepling.regions.models import KeplingTerm
from kepling.testing import City, make_user, make_worker

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def in_office(city: City) -> tuple[User, User]:
    """The Kepling of 12.71.01.1001.01 (the Lurah's kelurahan) and of 12.71.02.1001.01 (another kecamatan)."""
    mine = make_user("kepling-mine", Role.KEPLING, city.lingkungan[0])
    other = make_user("kepling-other", Role.KEPLING, city.node("12.71.02.1001.01"))
    for kepling in (mine, other):
        KeplingTerm.objects.create(kepling=kepling, lingkungan=kepling.wilayah, start=datetime.date(2025, 1, 1))
    return mine, other


def test_a_lurah_issues_a_one_time_password_the_kepling_must_change(lurah: User, in_office) -> None:
    mine, _other = in_office
    listing = signed_in(lurah).get("/akun/kepling/")
    assert [k.username for k in listing.context["accounts"]] == ["kepling-mine"]
    shown = signed_in(lurah).post(f"/akun/kepling/{mine.pk}/sandi-baru/")
    password = shown.context["password"]
    assert password in shown.content.decode()
    assert AuditLog.objects.filter(action="one_time_password_issued", actor=lurah, object_id=str(mine.pk)).exists()

    kepling = Client()
    assert kepling.post("/masuk/", {"username": "kepling-mine", "password": password}).status_code == 302
    assert kepling.get("/pekerja/beranda/")["Location"].startswith("/akun/kata-sandi/")


def test_a_lurah_cannot_reset_a_kepling_outside_the_kelurahan_nor_a_kepling_anyone(lurah, kepling_user, in_office):
    _mine, other = in_office
    before = User.objects.get(pk=other.pk).password
    assert signed_in(lurah).post(f"/akun/kepling/{other.pk}/sandi-baru/").status_code == 404
    assert User.objects.get(pk=other.pk).password == before
    assert signed_in(kepling_user).get("/akun/kepling/").status_code == 403
    assert signed_in(lurah).get("/akun/serah-terima/").status_code == 403


def test_the_admin_hands_a_lingkungan_over_and_the_old_kepling_loses_access(admin_kota, city: City, in_office):
    mine, _other = in_office
    worker = make_worker(city.lingkungan[0])
    assert signed_in(mine).get(f"/pekerja/{worker.pk}/").status_code == 200
    today = timezone.localdate()
    response = signed_in(admin_kota).post(
        "/akun/serah-terima/",
        {"lingkungan": city.lingkungan[0].kode, "username": "kepling-baru", "full_name": "Budi Baru",
         "phone": "081234567890", "start": today.isoformat()},
    )
    assert response.context["password"]
    successor = User.objects.get(username="kepling-baru")
    assert successor.wilayah == city.lingkungan[0] and successor.must_change_password
    old_term = KeplingTerm.objects.get(kepling=mine)
    assert old_term.end == today - datetime.timedelta(days=1)
    assert signed_in(mine).get(f"/pekerja/{worker.pk}/").status_code in {302, 403, 404}
    assert AuditLog.objects.filter(action="kepling_term_started", actor=admin_kota).exists()


def test_a_hand_over_to_an_unknown_lingkungan_is_refused_clearly(admin_kota, in_office) -> None:
    response = signed_in(admin_kota).post(
        "/akun/serah-terima/",
        {"lingkungan": "99.99", "username": "kepling-mine", "start": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not KeplingTerm.objects.filter(end__isnull=False).exists()
