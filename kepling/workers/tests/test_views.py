"""The Kepling's phone workflow over HTTP: home, registration form, NIK check, list and detail.

Pages are served in Indonesian (the default language), so these tests read what users read.
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kepling.accounts.models import User
from kepling.contributions.models import WorkerMonth
from kepling.core.models import AuditLog
from kepling.core.periods import month_index
from kepling.regions.models import KeplingTerm
from kepling.testing import City, make_worker
from kepling.workers.models import AttributionConflict, Worker
from kepling.workers.tests.builders import make_nik

BIRTH = datetime.date(1990, 4, 12)
REGISTER = reverse("workers:register")
LIST = reverse("workers:list")
HOME = reverse("workers:kepling_home")
CHECK_NIK = reverse("workers:check_nik")


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def form_data(serial: int = 9001, **overrides: Any) -> dict[str, str]:
    """A registration that passes every check, typed the way a Kepling types it."""
    data = {
        "nik": make_nik(BIRTH, "L", serial=serial),
        "nama": "Budi Santoso",
        "jenis_kelamin": "L",
        "tanggal_lahir": BIRTH.isoformat(),
        "no_hp": "0812 3456 7890",
        "pekerjaan": "Pengemudi ojek",
        "sektor": "transportasi",
        "penghasilan": "1.500.000",
        "program": "JKK-JKM",
        "sumber_iuran": "mandiri",
        "tanggal_daftar": timezone.localdate().isoformat(),
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def page_text(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def kepling_in_office(city: City, kepling_user: User) -> User:
    KeplingTerm.objects.create(kepling=kepling_user, lingkungan=city.lingkungan[0], start=datetime.date(2024, 1, 1))
    return kepling_user


# Home ------------------------------------------------------------------------------------------


def test_kepling_home_shows_x_of_25_and_what_to_do(city: City, kepling_in_office: User) -> None:
    paid = make_worker(city.lingkungan[0])
    make_worker(city.lingkungan[0])
    make_worker(city.lingkungan[1])  # another lingkungan: not counted
    month = datetime.date(2025, 6, 1)
    WorkerMonth.objects.create(
        worker=paid, periode=month, periode_index=month_index(month), amount_due=16800, amount_paid=16800,
        paid_from=datetime.date(2025, 6, 10), kelurahan=city.kelurahan[0],
    )
    response = client_for(kepling_in_office).get(HOME)
    assert response.status_code == 200
    text = page_text(response)
    assert 'data-testid="protected">1<' in text
    assert 'data-testid="target">25<' in text
    assert 'data-testid="registered">2<' in text
    assert "Daftarkan pekerja" in text
    assert 'href="/pengingat/"' in text
    assert "Yang perlu dilakukan hari ini" in text


def test_kepling_home_is_for_kepling_only(lurah: User) -> None:
    response = client_for(lurah).get(HOME)
    assert response.status_code == 302


def test_pages_need_sign_in(city: City) -> None:
    for url in (HOME, REGISTER, LIST, CHECK_NIK):
        response = Client().get(url)
        assert response.status_code in (302, 405)


# Registration ----------------------------------------------------------------------------------


def test_register_form_is_phone_ready(kepling_user: User) -> None:
    response = client_for(kepling_user).get(REGISTER)
    text = page_text(response)
    assert response.status_code == 200
    assert 'inputmode="numeric"' in text
    assert 'pattern="[0-9]{16}"' in text
    assert "Bacakan kepada pekerja" in text
    assert "2025-05-v1" in text
    assert timezone.localdate().isoformat() in text  # registration date defaults to today
    assert 'name="lingkungan"' not in text  # a Kepling cannot choose another lingkungan
    assert "Rp" in text  # the contribution due is shown


def test_kepling_registers_a_worker_in_their_lingkungan(city: City, kepling_in_office: User) -> None:
    client = client_for(kepling_in_office)
    response = client.post(REGISTER, form_data(penghasilan="Rp 1.500.000"))
    worker = Worker.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workers:detail", args=[worker.pk])
    assert worker.lingkungan == city.lingkungan[0]
    assert worker.penghasilan == 1_500_000
    assert worker.no_hp == "+6281234567890"
    assert worker.credited_kepling == kepling_in_office
    assert worker.registered_by == kepling_in_office
    assert worker.consent_version == "2025-05-v1"
    followed = client.get(response["Location"])
    text = page_text(followed)
    assert "Budi Santoso terdaftar" in text
    assert "0 dari 25 terlindungi, 1 terdaftar" in text
    assert 'data-testid="registered">1<' in page_text(client.get(HOME))


def test_a_kepling_cannot_pick_another_lingkungan(city: City, kepling_user: User) -> None:
    client_for(kepling_user).post(REGISTER, form_data(lingkungan=str(city.lingkungan[1].pk)))
    assert Worker.objects.get().lingkungan == city.lingkungan[0]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nik": "12710112"}, "NIK harus 16 digit; yang ini 8 digit."),
        ({"nik": "12710A1204900001"}, "NIK hanya boleh berisi angka."),
        ({"nik": "1271019913900001"}, "NIK tidak memuat tanggal lahir yang valid"),
        ({"nik": ""}, "Isi NIK pekerja: 16 angka pada KTP-nya."),
        ({"consent": None}, "Persetujuan pekerja atas pemrosesan data pribadinya wajib ada."),
        ({"penghasilan": "900.000"}, "Rp1.000.000"),
        ({"penghasilan": "satu juta"}, "Tulis jumlah dalam Rupiah bulat, misalnya 1.500.000."),
        ({"no_hp": "12345"}, "bukan nomor HP Indonesia yang valid"),
        ({"tanggal_lahir": "2015-04-12"}, "usia minimum 15"),
        ({"tanggal_lahir": "1950-04-12"}, "usia maksimum 65"),
        ({"tanggal_lahir": "kemarin"}, "Tulis tanggal seperti 31/12/1990."),
        ({"nama": ""}, "Isi nama pekerja."),
        ({"sektor": ""}, "Pilih sektor pekerjaan."),
        ({"tanggal_daftar": "2099-01-01"}, "tidak boleh di masa depan"),
    ],
)
def test_every_bad_input_shows_its_message_and_saves_nothing(
    kepling_user: User, overrides: dict[str, Any], message: str
) -> None:
    audit_rows = AuditLog.objects.count()
    response = client_for(kepling_user).post(REGISTER, form_data(**overrides))
    assert response.status_code == 400
    text = page_text(response)
    assert message in text, text[text.find("errorlist") :][:2000]
    assert "tidak ada yang disimpan" in text
    assert Worker.objects.count() == 0
    assert AuditLog.objects.count() == audit_rows


def test_all_problems_are_reported_at_once(kepling_user: User) -> None:
    response = client_for(kepling_user).post(REGISTER, form_data(nik="123", consent=None, penghasilan="500000"))
    text = page_text(response)
    assert "NIK harus 16 digit" in text
    assert "Persetujuan pekerja" in text
    assert "Rp500.000" in text
    assert Worker.objects.count() == 0


def test_calculate_button_shows_the_contribution_and_saves_nothing(kepling_user: User) -> None:
    data = form_data(penghasilan="2.000.000", program="JKK-JKM-JHT", tanggal_daftar="2025-10-01", sektor="lainnya")
    response = client_for(kepling_user).post(REGISTER, {**data, "hitung": "1"})
    text = page_text(response)
    assert response.status_code == 200
    assert "Rp66.800" in text  # JKK 20.000 + JKM 6.800 + JHT 40.000, before any discount
    assert "errorlist" not in text
    assert Worker.objects.count() == 0


def test_contribution_json(kepling_user: User) -> None:
    url = reverse("workers:contribution")
    query = {"penghasilan": "1.000.000", "program": "JKK-JKM", "tanggal_daftar": "2025-10-01"}
    response = client_for(kepling_user).get(url, query)
    assert response.json()["text"] == "Rp16.800"
    assert client_for(kepling_user).get(url, {"penghasilan": "x"}).json()["amount"] is None


def test_the_same_nik_twice_in_the_same_lingkungan_changes_nothing(kepling_in_office: User) -> None:
    client = client_for(kepling_in_office)
    client.post(REGISTER, form_data())
    response = client.post(REGISTER, form_data(nama="Budi S."), follow=True)
    assert Worker.objects.count() == 1
    assert "NIK ini sudah terdaftar di lingkungan ini" in page_text(response)
    assert Worker.objects.get().nama == "Budi Santoso"


def test_a_nik_registered_by_another_kepling_opens_a_conflict_without_saying_whose(
    city: City, kepling_user: User, other_kepling: User
) -> None:
    nik = make_nik(BIRTH, "L", serial=9002)
    make_worker(city.lingkungan[1], nik=nik, nama="Rahasia Orang Lain", credited_kepling=other_kepling)
    response = client_for(kepling_user).post(REGISTER, form_data(nik=nik), follow=True)
    text = page_text(response)
    assert "sudah didaftarkan oleh Kepling lain" in text
    assert "Rahasia Orang Lain" not in text
    assert city.lingkungan[1].kode not in text
    assert Worker.objects.count() == 1
    conflict = AttributionConflict.objects.get()
    assert conflict.claimant_lingkungan == city.lingkungan[0]


def test_lurah_registers_in_a_lingkungan_of_their_kelurahan_only(city: City, lurah: User) -> None:
    client = client_for(lurah)
    form = page_text(client.get(REGISTER))
    assert city.lingkungan[1].kode in form
    assert city.lingkungan[2].kode not in form  # another kelurahan
    bad = client.post(REGISTER, form_data(lingkungan=str(city.lingkungan[2].pk)))
    assert bad.status_code == 400
    assert "Pilih lingkungan di wilayah Anda." in page_text(bad)
    missing = client.post(REGISTER, form_data())
    assert "Pilih lingkungan pekerja." in page_text(missing)
    assert Worker.objects.count() == 0
    client.post(REGISTER, form_data(lingkungan=str(city.lingkungan[1].pk)))
    assert Worker.objects.get().lingkungan == city.lingkungan[1]


def test_read_only_roles_cannot_register(pimpinan: User) -> None:
    for user in (pimpinan,):
        client = client_for(user)
        assert client.get(REGISTER).status_code == 403
        assert client.post(REGISTER, form_data()).status_code == 403
    assert Worker.objects.count() == 0


# NIK check while typing ------------------------------------------------------------------------


def test_nik_check_says_invalid_new_here_or_elsewhere_never_whose(
    city: City, kepling_user: User, other_kepling: User
) -> None:
    client = client_for(kepling_user)
    assert client.post(CHECK_NIK, {"nik": "1234"}).json()["status"] == "invalid"
    fresh = client.post(CHECK_NIK, {"nik": make_nik(BIRTH, "P", serial=9003)}).json()
    assert fresh["status"] == "new"
    assert fresh["jenis_kelamin"] == "P"
    assert fresh["tanggal_lahir"] == "1990-04-12"
    mine = make_worker(city.lingkungan[0], nik=make_nik(BIRTH, serial=9004))
    here = client.post(CHECK_NIK, {"nik": make_nik(BIRTH, serial=9004)}).json()
    assert here["status"] == "registered_here"
    assert here["url"] == reverse("workers:detail", args=[mine.pk])
    make_worker(city.lingkungan[1], nik=make_nik(BIRTH, serial=9005), nama="Orang Lain")
    elsewhere = client.post(CHECK_NIK, {"nik": make_nik(BIRTH, serial=9005)}).json()
    assert elsewhere["status"] == "registered_elsewhere"
    assert set(elsewhere) == {"status", "message"}
    assert "Orang Lain" not in elsewhere["message"]


def test_nik_check_needs_post_and_csrf(kepling_user: User) -> None:
    client = client_for(kepling_user)
    assert client.get(CHECK_NIK).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(kepling_user)
    assert strict.post(CHECK_NIK, {"nik": "1234"}).status_code == 403


# List and detail -------------------------------------------------------------------------------


def test_list_shows_only_the_kepling_s_own_workers_with_status(city: City, kepling_user: User) -> None:
    make_worker(city.lingkungan[0], nama="Ani Mine")
    make_worker(city.lingkungan[1], nama="Zed Other")
    text = page_text(client_for(kepling_user).get(LIST))
    assert "Ani Mine" in text
    assert "Zed Other" not in text
    assert "badge--never_paid" in text


def test_list_search_filter_and_pages(city: City, kepling_user: User, lurah: User) -> None:
    for n in range(30):
        make_worker(city.lingkungan[0], nama=f"Pekerja {n:02d}")
    make_worker(city.lingkungan[0], nama="Siti Aminah")
    client = client_for(kepling_user)
    found = page_text(client.get(LIST, {"q": "siti"}))
    assert "Siti Aminah" in found
    assert "Pekerja 01" not in found
    assert "Siti Aminah" not in page_text(client.get(LIST, {"status": "active"}))
    first = page_text(client.get(LIST))
    assert "Siti Aminah" not in first
    following = re.search(r'<a href="(\?[^"]*)" rel="next">', first)
    assert following is not None
    assert "Siti Aminah" in page_text(client.get(LIST + html.unescape(following[1])))
    assert "Pekerja 00" in page_text(client_for(lurah).get(LIST))


def test_detail_is_audited_and_masks_the_nik(city: City, kepling_user: User) -> None:
    worker = make_worker(city.lingkungan[0], nik="1271011205900042")
    response = client_for(kepling_user).get(reverse("workers:detail", args=[worker.pk]))
    text = page_text(response)
    assert response.status_code == 200
    assert "1271********0042" in text
    assert "1271011205900042" not in text
    assert "Tampilkan NIK lengkap" in text
    assert AuditLog.objects.filter(
        action="worker_viewed", object_id=str(worker.pk), actor=kepling_user
    ).count() == 1


def test_another_lingkungan_s_worker_is_a_404(city: City, kepling_user: User) -> None:
    other = make_worker(city.lingkungan[1])
    client = client_for(kepling_user)
    assert client.get(reverse("workers:detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("workers:reveal_nik", args=[other.pk])).status_code == 404
    assert client.get(reverse("workers:detail", args=[999999])).status_code == 404
    assert not AuditLog.objects.filter(action__in=["worker_viewed", "nik_revealed"]).exists()


def test_reveal_nik_is_audited_for_the_kepling_and_the_admin(
    city: City, kepling_user: User, admin_kota: User
) -> None:
    worker = make_worker(city.lingkungan[0], nik="1271011205900043")
    for user in (kepling_user, admin_kota):
        response = client_for(user).post(reverse("workers:reveal_nik", args=[worker.pk]))
        assert response.status_code == 200
        assert "1271011205900043" in page_text(response)
        assert "no-store" in response["Cache-Control"]
        assert AuditLog.objects.filter(action="nik_revealed", object_id=str(worker.pk), actor=user).exists()


def test_lurah_sees_the_worker_masked_only(city: City, lurah: User) -> None:
    worker = make_worker(city.lingkungan[0], nik="1271011205900044")
    client = client_for(lurah)
    detail = page_text(client.get(reverse("workers:detail", args=[worker.pk])))
    assert "1271********0044" in detail
    assert "Tampilkan NIK lengkap" not in detail
    assert client.post(reverse("workers:reveal_nik", args=[worker.pk])).status_code == 403
    assert not AuditLog.objects.filter(action="nik_revealed").exists()


def test_reveal_needs_post(city: City, kepling_user: User) -> None:
    worker = make_worker(city.lingkungan[0])
    assert client_for(kepling_user).get(reverse("workers:reveal_nik", args=[worker.pk])).status_code == 405
