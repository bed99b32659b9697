"""Data-subject rights: Admin kota exports everything held about one NIK (with who saw it) and erases it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kepling.accounts.models import User
from kepling.contributions.ledger import record_payment
from kepling.core.models import AuditLog
from kepling.testing import City, make_worker
from kepling.workers.models import Worker

pytestmark = pytest.mark.django_db

NIK = "1271011505900077"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_admin_kota_handles_requests(city: City, kepling_user: User, petugas_bpjs: User) -> None:
    make_worker(city.lingkungan[0], nik=NIK)
    for user in (kepling_user, petugas_bpjs):
        assert signed_in(user).post("/pekerja/subjek/", {"nik": NIK, "action": "export"}).status_code == 403


def test_the_export_holds_everything_and_who_saw_it(city: City, kepling_user: User, admin_kota: User) -> None:
    worker = make_worker(city.lingkungan[0], nik=NIK, nama="Sri Rahayu")
    signed_in(kepling_user).get(f"/pekerja/{worker.pk}/")
    response = signed_in(admin_kota).post("/pekerja/subjek/", {"nik": "١٢٧١٠١١٥٠٥٩٠٠٠٧٧", "action": "export"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["worker"]["nik"] == NIK and data["worker"]["nama"] == "Sri Rahayu"
    assert {"who": "kepling-a", "action": "worker_viewed"}.items() <= data["seen_and_changed_by"][0].items()
    assert AuditLog.objects.filter(action="person_exported", actor=admin_kota, object_id=str(worker.pk)).exists()


def test_erasure_keeps_the_figures_and_the_audit_but_not_the_person(
    city: City, kepling_user: User, admin_kota: User
) -> None:
    worker = make_worker(city.lingkungan[0], nik=NIK, nama="Sri Rahayu", credited_kepling=kepling_user)
    record_payment(worker=worker, periode=worker.tanggal_daftar.replace(day=1), jumlah=16800,
                   tanggal_bayar=worker.tanggal_daftar, referensi="R-1", by=None)
    signed_in(kepling_user).get(f"/pekerja/{worker.pk}/")
    admin = signed_in(admin_kota)
    assert admin.post("/pekerja/subjek/", {"nik": NIK, "action": "erase", "reason": ""}).status_code == 400
    response = admin.post("/pekerja/subjek/", {"nik": NIK, "action": "erase", "reason": "Permintaan tertulis 1/2025"})
    assert response.status_code == 302
    erased = Worker.objects.get(pk=worker.pk)
    assert erased.nama != "Sri Rahayu" and erased.no_hp == "" and "0077" not in erased.nik_masked
    assert erased.lingkungan_id == worker.lingkungan_id and erased.tanggal_daftar == worker.tanggal_daftar
    assert erased.payments.count() == 1
    assert "Sri Rahayu" not in json.dumps(list(AuditLog.objects.values_list("old_values", "new_values")))
    assert AuditLog.objects.filter(action="worker_viewed", object_id=str(worker.pk)).exists()
    assert AuditLog.objects.filter(action="person_erased", actor=admin_kota).exists()
    assert admin.post("/pekerja/subjek/", {"nik": NIK, "action": "export"}).status_code == 404
