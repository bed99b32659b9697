"""Admin kota manages accounts in the app: list, create, change role and area, deactivate, one-time password."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog
from kepling.regions.models import KeplingTerm
from kepling.testing import City, make_user

pytestmark = pytest.mark.django_db

OTHER_ROLES = ("kepling_user", "lurah", "camat", "petugas_bpjs", "pimpinan")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accounts_state() -> list[tuple[object, ...]]:
    return sorted(User.objects.values_list("pk", "username", "role", "wilayah_id", "is_active", "password"))


def test_the_list_shows_role_area_and_filters_by_role_and_area(admin_kota: User, lurah: User, camat: User,
                                                               kepling_user: User, city: City) -> None:
    make_user("lurah-far", Role.LURAH, city.kelurahan[3])
    client = signed_in(admin_kota)
    everyone = client.get("/akun/pengguna/")
    assert everyone.status_code == 200
    assert {"admin", "lurah", "camat", "kepling-a", "lurah-far"} <= {a.username for a in everyone.context["page"]}
    lurahs = client.get("/akun/pengguna/", {"peran": "lurah"}).context["page"]
    assert {a.username for a in lurahs} == {"lurah", "lurah-far"}
    in_kecamatan_1 = client.get("/akun/pengguna/", {"wilayah": city.kecamatan[0].kode}).context["page"]
    assert {a.username for a in in_kecamatan_1} == {"lurah", "camat", "kepling-a"}
    unknown = client.get("/akun/pengguna/", {"wilayah": "99.99"})
    assert unknown.status_code == 200 and unknown.context["filters"].errors["wilayah"]


def test_the_list_pages_through_many_accounts(admin_kota: User, city: City) -> None:
    for n in range(60):
        make_user(f"kepling-{n:02d}", Role.KEPLING, city.lingkungan[n % 8])
    client = signed_in(admin_kota)
    first, second = client.get("/akun/pengguna/"), client.get("/akun/pengguna/", {"hal": "2"})
    shown = [a.username for a in first.context["page"]] + [a.username for a in second.context["page"]]
    assert len(shown) == len(set(shown)) == User.objects.count()


def test_an_official_account_is_created_with_a_one_time_password(admin_kota: User, city: City) -> None:
    response = signed_in(admin_kota).post("/akun/pengguna/baru/", {
        "username": "lurah-baru", "full_name": "Siti Lurah", "phone": "081234567890", "role": "lurah",
        "wilayah": city.kelurahan[1].kode,
    })
    password = response.context["password"]
    assert password in response.content.decode()
    account = User.objects.get(username="lurah-baru")
    assert (account.role, account.wilayah, account.must_change_password) == (Role.LURAH, city.kelurahan[1], True)
    assert account.check_password(password)
    entry = AuditLog.objects.get(action="account_created", object_id=str(account.pk))
    assert entry.actor == admin_kota and entry.new_values["wilayah"] == city.kelurahan[1].kode


def test_a_kepling_account_is_created_with_its_term(admin_kota: User, kepling_user: User, city: City) -> None:
    KeplingTerm.objects.create(kepling=kepling_user, lingkungan=city.lingkungan[0], start=datetime.date(2025, 1, 1))
    today = timezone.localdate()
    response = signed_in(admin_kota).post("/akun/pengguna/baru/", {
        "username": "kepling-baru", "full_name": "Budi Baru", "role": "kepling",
        "wilayah": city.lingkungan[0].kode, "start": today.isoformat(),
    })
    assert response.context["password"]
    account = User.objects.get(username="kepling-baru")
    assert account.wilayah == city.lingkungan[0] and account.must_change_password
    assert KeplingTerm.objects.get(kepling=account, end__isnull=True).start == today
    assert KeplingTerm.objects.get(kepling=kepling_user).end == today - datetime.timedelta(days=1)
    assert AuditLog.objects.filter(action="kepling_term_started", actor=admin_kota).exists()


@pytest.mark.parametrize(("fields", "message"), [
    ({"username": "lurah", "role": "lurah", "wilayah": "12.71.01.1001"}, "sudah dipakai"),
    ({"username": "baru", "role": "lurah", "wilayah": "12.71.01"}, "tingkat lain"),
    ({"username": "baru", "role": "camat", "wilayah": "99.99"}, "Tidak ada wilayah"),
    ({"username": "baru", "role": "kepling", "wilayah": "12.71.01.1001"}, "bukan lingkungan"),
    ({"username": "baru", "role": "lurah", "wilayah": "12.71.01.1001", "phone": "12"}, "nomor telepon"),
    ({"username": "ada spasi", "role": "lurah", "wilayah": "12.71.01.1001"}, "tanpa spasi"),
    ({"username": "baru", "role": "raja", "wilayah": "12.71.01.1001"}, "pilihan"),
])
def test_bad_input_for_a_new_account_says_why_and_changes_nothing(
    admin_kota: User, lurah: User, fields: dict[str, str], message: str
) -> None:
    before, audit_before = accounts_state(), AuditLog.objects.count()
    response = signed_in(admin_kota).post("/akun/pengguna/baru/", {"full_name": "Nama Orang", **fields})
    assert response.status_code == 200 and "password" not in response.context
    assert message in response.content.decode()
    assert accounts_state() == before and AuditLog.objects.count() == audit_before
    assert not KeplingTerm.objects.exists()


def test_an_officials_role_and_area_change_is_audited_with_old_and_new(admin_kota: User, lurah: User,
                                                                        city: City) -> None:
    response = signed_in(admin_kota).post(f"/akun/pengguna/{lurah.pk}/peran/",
                                          {"role": "camat", "wilayah": city.kecamatan[1].kode})
    assert response.status_code == 302
    lurah.refresh_from_db()
    assert (lurah.role, lurah.wilayah) == (Role.CAMAT, city.kecamatan[1])
    entry = AuditLog.objects.get(action="account_updated", object_id=str(lurah.pk))
    assert entry.old_values == {"role": "lurah", "wilayah": city.kelurahan[0].kode}
    assert entry.new_values == {"role": "camat", "wilayah": city.kecamatan[1].kode}


def test_an_admin_cannot_change_their_own_role(admin_kota: User, city: City) -> None:
    before = accounts_state()
    response = signed_in(admin_kota).post(f"/akun/pengguna/{admin_kota.pk}/peran/",
                                          {"role": "lurah", "wilayah": city.kelurahan[0].kode})
    assert response.status_code == 200 and response.context["role_form"].non_field_errors()
    assert accounts_state() == before


def test_a_keplings_area_is_changed_only_through_a_hand_over(admin_kota: User, kepling_user: User,
                                                              city: City) -> None:
    before = accounts_state()
    response = signed_in(admin_kota).post(f"/akun/pengguna/{kepling_user.pk}/peran/",
                                          {"role": "lurah", "wilayah": city.kelurahan[0].kode})
    assert response.status_code == 200 and "serah terima" in response.content.decode()
    assert accounts_state() == before


def test_deactivate_and_reactivate_but_never_oneself(admin_kota: User, lurah: User) -> None:
    client = signed_in(admin_kota)
    client.post(f"/akun/pengguna/{lurah.pk}/aktif/", {"aktif": "0"})
    lurah.refresh_from_db()
    assert not lurah.is_active
    assert Client().post("/masuk/", {"username": "lurah", "password": "kata-sandi-uji-yang-panjang"}).status_code == 200
    client.post(f"/akun/pengguna/{lurah.pk}/aktif/", {"aktif": "1"})
    lurah.refresh_from_db()
    assert lurah.is_active
    actions = list(AuditLog.objects.filter(object_id=str(lurah.pk)).order_by("pk").values_list("action", "new_values"))
    assert actions == [("account_deactivated", {"is_active": False}), ("account_reactivated", {"is_active": True})]

    refused = client.post(f"/akun/pengguna/{admin_kota.pk}/aktif/", {"aktif": "0"}, follow=True)
    admin_kota.refresh_from_db()
    assert admin_kota.is_active and "menonaktifkan akun Anda sendiri" in refused.content.decode()
    odd = client.post(f"/akun/pengguna/{lurah.pk}/aktif/", {"aktif": "mungkin"}, follow=True)
    assert odd.status_code == 200 and User.objects.get(pk=lurah.pk).is_active


def test_a_one_time_password_for_any_official_must_be_changed(admin_kota: User, camat: User) -> None:
    response = signed_in(admin_kota).post(f"/akun/pengguna/{camat.pk}/sandi-baru/")
    password = response.context["password"]
    camat_client = Client()
    assert camat_client.post("/masuk/", {"username": "camat", "password": password}).status_code == 302
    assert camat_client.get("/dasbor/")["Location"].startswith("/akun/kata-sandi/")
    assert AuditLog.objects.filter(action="one_time_password_issued", object_id=str(camat.pk)).exists()


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_every_other_role_is_refused(who: str, request: pytest.FixtureRequest, lurah: User, admin_kota: User) -> None:
    client = signed_in(request.getfixturevalue(who))
    before = accounts_state()
    for path in ("/akun/pengguna/", "/akun/pengguna/baru/", f"/akun/pengguna/{admin_kota.pk}/"):
        assert client.get(path).status_code == 403, path
    for path, body in ((f"/akun/pengguna/{admin_kota.pk}/aktif/", {"aktif": "0"}),
                       (f"/akun/pengguna/{admin_kota.pk}/peran/", {"role": "pimpinan", "wilayah": "12.71"}),
                       (f"/akun/pengguna/{admin_kota.pk}/sandi-baru/", {}),
                       ("/akun/pengguna/baru/", {"username": "x", "full_name": "X", "role": "pimpinan",
                                                 "wilayah": "12.71"})):
        assert client.post(path, body).status_code == 403, path
    assert accounts_state() == before


def test_the_pages_are_in_admin_kotas_menu(admin_kota: User, lurah: User) -> None:
    html = signed_in(admin_kota).get("/akun/pengguna/").content.decode()
    for path in ("/akun/pengguna/", "/wilayah/", "/pengingat/aturan/", "/pengingat/kanal/"):
        assert f'href="{path}"' in html
    assert 'href="/akun/pengguna/"' not in signed_in(lurah).get("/akun/kepling/").content.decode()
