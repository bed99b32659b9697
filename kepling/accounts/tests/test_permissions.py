"""The rights of every role, decided once: the table in docs/security.md, and the web and the API agreeing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kepling.accounts.models import Role, User
from kepling.accounts.permissions import (
    RIGHTS,
    Right,
    may_check_nik,
    may_credit,
    may_decide,
    may_edit_worker,
    may_register,
    may_reveal_nik,
    may_upload,
    rights_table,
)
from kepling.api.actions import create_api_token
from kepling.api.tests.conftest import ApiClient
from kepling.testing import City, make_user, make_worker
from kepling.workers.models import Worker
from kepling.workers.tests.builders import api_registration

pytestmark = pytest.mark.django_db

PERSONAS = ("kepling_user", "lurah", "camat", "admin_kota", "petugas_bpjs", "pimpinan")
WORKER_ROW = (
    "nik,nama,jenis_kelamin,tanggal_lahir,no_hp,kode_lingkungan,pekerjaan,sektor,penghasilan,program,"
    "sumber_iuran,tanggal_daftar\n"
    "1271011505900011,Ani,L,1990-05-15,081234567890,12.71.01.1001.01,Pedagang,lainnya,1000000,JKK-JKM,mandiri,"
    "2025-06-02\n"
)
PAYMENT_ROW = "nik,periode,jumlah,tanggal_bayar,referensi\n1271011505900011,2025-06,16800,2025-06-10,R-1\n"


def test_the_table_in_docs_security_is_the_one_the_code_applies() -> None:
    text = (Path(settings.BASE_DIR) / "docs" / "security.md").read_text(encoding="utf-8")
    assert rights_table() in text


def test_the_bpjs_officer_reads_and_reconciles_but_never_registers_or_edits() -> None:
    bpjs = {right for right, grant in RIGHTS.items() if Role.PETUGAS_BPJS in grant.roles}
    assert Right.RECONCILE in bpjs and Right.VIEW_WORKERS in bpjs
    assert not bpjs & {Right.REGISTER_WORKERS, Right.EDIT_WORKERS, Right.UPLOAD_WORKERS, Right.CHECK_NIK}
    leadership = {right for right, grant in RIGHTS.items() if Role.PIMPINAN in grant.roles}
    assert not leadership & {Right.REGISTER_WORKERS, Right.EDIT_WORKERS, Right.RECONCILE, Right.REVEAL_NIK}


def test_rights_stop_at_the_area(city: City, kepling_user: User, lurah: User, admin_kota: User) -> None:
    inside, outside = city.lingkungan[0], city.lingkungan[2]
    assert may_register(lurah, inside) and not may_register(lurah, outside)
    assert may_upload(kepling_user, "workers", inside) and not may_upload(kepling_user, "workers", city.lingkungan[1])
    assert may_decide(lurah, [inside, city.lingkungan[1]]) and not may_decide(lurah, [inside, outside])
    theirs = make_worker(outside)
    assert not may_edit_worker(lurah, theirs) and may_edit_worker(admin_kota, theirs)
    assert may_reveal_nik(kepling_user, make_worker(inside)) and not may_reveal_nik(lurah, make_worker(inside))


def test_an_account_without_an_area_has_no_right(city: City) -> None:
    former = make_user("former", Role.KEPLING, None)
    assert not any(may_upload(former, kind) for kind in ("workers", "payments"))
    assert not may_register(former) and not may_edit_worker(former)


def test_a_kepling_credits_only_a_kepling_of_their_own_area(
    city: City, kepling_user: User, other_kepling: User, lurah: User, admin_kota: User
) -> None:
    far = make_user("kepling-far", Role.KEPLING, city.lingkungan[5])
    assert may_credit(kepling_user, kepling_user) and not may_credit(kepling_user, other_kepling)
    assert may_credit(lurah, other_kepling) and not may_credit(lurah, far)
    assert may_credit(admin_kota, far) and may_credit(None, far)


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: User) -> ApiClient:
    _token, key = create_api_token(by=user, user=user, name="parity")
    return ApiClient(key)


def _allowed(status: int) -> bool:
    assert status in (200, 201, 302, 403), status
    return status != 403


def _registration(nik: str) -> dict[str, object]:
    return api_registration(nik=nik, jenis_kelamin="P")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_web_and_the_api_agree_for_every_role(persona: str, request: pytest.FixtureRequest, city: City) -> None:
    user: User = request.getfixturevalue(persona)
    web, api = _web(user), _api(user)
    worker = make_worker(city.lingkungan[0])
    registers = may_register(user)
    assert _allowed(web.get("/pekerja/daftar/").status_code) == registers
    assert _allowed(api.post("/workers", _registration("1271015505900021")).status_code) == registers
    edits = may_edit_worker(user, worker)
    assert _allowed(api.patch(f"/workers/{worker.pk}", {"pekerjaan": "Penjahit"}).status_code) == edits
    assert Worker.objects.get(pk=worker.pk).pekerjaan == ("Penjahit" if edits else "Pedagang")
    for kind, content in (("workers", WORKER_ROW), ("payments", PAYMENT_ROW)):
        uploads = may_upload(user, kind)
        assert _allowed(web.get(f"/impor/unggah/{kind}/").status_code) == uploads, kind
        sent = api.client.post(
            f"/api/v1/imports/{kind}",
            {"file": SimpleUploadedFile(f"{kind}.csv", content.encode()), "dry_run": "true"},
            headers=api.headers,
        )
        assert _allowed(sent.status_code) == uploads, kind
    checks = _allowed(web.post("/pekerja/cek-nik/", {"nik": "1271011505900099"}).status_code)
    assert checks == may_check_nik(user)


def test_a_kepling_naming_a_kepling_of_another_area_is_refused(
    city: City, kepling_user: User, other_kepling: User
) -> None:
    body = _registration("1271015505900031") | {"kepling": other_kepling.username}
    refused = _api(kepling_user).post("/workers", body)
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["kepling"]
    assert not Worker.objects.exists()
    accepted = _api(kepling_user).post("/workers", body | {"kepling": kepling_user.username})
    assert accepted.status_code == 201
