"""The same NIK typed in Arabic-Indic, full-width or ASCII digits is one NIK, on every way in."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.core.identifiers import ascii_digits
from kepling.testing import City
from kepling.workers.imports import import_workers_file
from kepling.workers.models import AttributionConflict, Worker

pytestmark = pytest.mark.django_db

NIK = "1271011505900011"
ARABIC_INDIC = NIK.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
FULL_WIDTH = NIK.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
DEVANAGARI = NIK.translate(str.maketrans("0123456789", "०१२३४५६७८९"))


def test_every_digit_script_becomes_ascii() -> None:
    for spelling in (ARABIC_INDIC, FULL_WIDTH, DEVANAGARI):
        assert ascii_digits(spelling) == NIK


def body(nik: str, **changes: object) -> dict[str, object]:
    return {
        "nik": nik,
        "nama": "Siti Aminah",
        "jenis_kelamin": "L",
        "tanggal_lahir": "1990-05-15",
        "no_hp": "٠٨١٢٣٤٥٦٧٨٩٠",
        "kode_lingkungan": "１２.７１.０１.１００１.０１",
        "pekerjaan": "Pedagang",
        "sektor": "lainnya",
        "penghasilan": 1_000_000,
        "program": "JKK-JKM",
        "sumber_iuran": "mandiri",
        "tanggal_daftar": "2025-06-02",
        "consent": True,
    } | changes


def test_the_api_registers_a_nik_once_whatever_the_digits(city: City, kepling_user: User) -> None:
    _token, key = create_api_token(by=kepling_user, user=kepling_user, name="t")
    client = Client()
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [
        client.post("/api/v1/workers", body(nik), content_type="application/json", headers=headers).json()["status"]
        for nik in (ARABIC_INDIC, FULL_WIDTH, NIK)
    ]
    assert statuses == ["registered", "already_present", "already_present"]
    worker = Worker.objects.get()
    assert worker.nik_masked.startswith("1271") and worker.no_hp == "+6281234567890"
    assert not AttributionConflict.objects.exists()


def test_a_file_and_the_web_form_see_the_same_nik(tmp_path: Path, city: City, kepling_user: User) -> None:
    header = "nik,nama,jenis_kelamin,tanggal_lahir,no_hp,kode_lingkungan,pekerjaan,sektor,penghasilan,program,"
    header += "sumber_iuran,tanggal_daftar\n"
    row = f"{FULL_WIDTH},Ani,L,1990-05-15,081234567890,12.71.01.1001.01,Pedagang,lainnya,١٠٠٠٠٠٠,JKK-JKM,mandiri,"
    path = tmp_path / "w.csv"
    path.write_text(header + row + "2025-06-02\n", encoding="utf-8")
    result = import_workers_file(path, by=kepling_user).as_dict()
    assert (result["applied"], result["rejected"]) == (1, 0), result
    web = Client()
    web.force_login(kepling_user)
    answer = web.post("/pekerja/cek-nik/", {"nik": ARABIC_INDIC}).json()
    assert answer["status"] == "registered_here"
    assert Worker.objects.count() == 1


def test_nik_checks_are_audited_and_limited_per_user(
    city: City, kepling_user: User, other_kepling: User, settings: object
) -> None:
    from django.core.cache import cache

    from kepling.core.models import AuditLog

    cache.clear()
    settings.NIK_CHECKS_PER_HOUR = 5  # type: ignore[attr-defined]
    web = Client()
    web.force_login(kepling_user)
    answers = [web.post("/pekerja/cek-nik/", {"nik": f"12710115059000{n:02d}"}) for n in range(7)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert answers[-1].json()["status"] == "rate_limited"
    checked = AuditLog.objects.filter(action="nik_checked", actor=kepling_user)
    assert checked.count() == 5
    assert all("*" in row.new_values["nik_masked"] for row in checked)
    neighbour = Client()
    neighbour.force_login(other_kepling)
    assert neighbour.post("/pekerja/cek-nik/", {"nik": NIK}).status_code == 200
    cache.clear()
