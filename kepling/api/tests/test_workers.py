"""Workers through the API: scoping, registration (201 / 422 in Indonesian), corrections, months, payments."""

from __future__ import annotations

import datetime

import pytest

from kepling.api.tests.conftest import assert_error
from kepling.contributions.ledger import record_payment
from kepling.core.models import AuditLog
from kepling.testing import make_worker
from kepling.workers.models import AttributionConflict, Worker
from kepling.workers.tests.builders import api_registration as registration

pytestmark = pytest.mark.django_db


def test_a_kepling_cannot_read_a_worker_of_another_lingkungan(api_as, city, kepling_user):
    mine = make_worker(city.lingkungan[0])
    theirs = make_worker(city.lingkungan[1])
    client = api_as(kepling_user)
    assert client.get(f"/workers/{mine.pk}").status_code == 200
    not_yours = client.get(f"/workers/{theirs.pk}")
    missing = client.get("/workers/999999")
    assert assert_error(not_yours, 404, "not_found") == assert_error(missing, 404, "not_found")
    for path in ("months", "payments"):
        assert_error(client.get(f"/workers/{theirs.pk}/{path}"), 404, "not_found")
    assert_error(client.patch(f"/workers/{theirs.pk}", {"nama": "X"}), 404, "not_found")
    listed = client.get("/workers").json()
    assert [w["id"] for w in listed["items"]] == [mine.pk]


def test_a_lurah_sees_the_whole_kelurahan(api_as, city, lurah):
    workers = [make_worker(city.lingkungan[0]), make_worker(city.lingkungan[1]), make_worker(city.lingkungan[2])]
    body = api_as(lurah).get("/workers").json()
    assert body["count"] == 2
    assert {w["id"] for w in body["items"]} == {workers[0].pk, workers[1].pk}


def test_worker_reads_show_the_masked_nik_only_and_are_audited(api_as, city, kepling_user):
    worker = make_worker(city.lingkungan[0], nik="1271011505900077")
    client = api_as(kepling_user)
    detail = client.get(f"/workers/{worker.pk}")
    assert "1271011505900077" not in detail.content.decode()
    assert detail.json()["nik_masked"] == worker.nik_masked
    client.get("/workers")
    views = AuditLog.objects.filter(action="api_view", actor=kepling_user)
    assert views.filter(object_type="worker", object_id=str(worker.pk)).exists()
    assert any(worker.pk in (row.new_values or {}).get("ids", []) for row in views)


def test_list_filters_and_paging(api_as, city, admin_kota):
    a = make_worker(city.lingkungan[0], nama="Budi Santoso", registered="2025-06-01")
    b = make_worker(city.lingkungan[0], nama="Ani Lestari", registered="2025-07-01")
    make_worker(city.lingkungan[3], nama="Budi Lain", registered="2025-08-01")
    client = api_as(admin_kota)
    assert client.get("/workers", lingkungan="12.71.01.1001.01").json()["count"] == 2
    assert {w["id"] for w in client.get("/workers", q="budi s").json()["items"]} == {a.pk}
    window = client.get("/workers", registered_from="2025-06-15", registered_to="2025-07-15").json()
    assert [w["id"] for w in window["items"]] == [b.pk]
    assert client.get("/workers", status="never_paid").json()["count"] == 3
    assert client.get("/workers", status="active").json()["count"] == 0
    first = client.get("/workers", limit=2, offset=0).json()
    second = client.get("/workers", limit=2, offset=2).json()
    assert first["count"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1


def test_registration_through_the_api(api_as, city, kepling_user):
    response = api_as(kepling_user).post("/workers", registration())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "registered"
    worker = Worker.objects.get(pk=body["worker"]["id"])
    assert worker.credited_kepling == kepling_user and worker.registered_by == kepling_user
    assert body["worker"]["nik_masked"] == worker.nik_masked
    assert AuditLog.objects.filter(action="worker_registered", object_id=str(worker.pk)).exists()

    again = api_as(kepling_user).post("/workers", registration())
    assert again.status_code == 200 and again.json()["status"] == "already_present"


def test_invalid_registration_is_422_with_indonesian_field_messages(api_as, city, kepling_user):
    response = api_as(kepling_user).post(
        "/workers", registration(nik="12345", penghasilan=50, kode_lingkungan="12.71.01.1001.02")
    )
    error = assert_error(response, 422, "invalid_data")
    assert error["message"] == "Data pekerja tidak valid."
    fields = {d["field"]: d["message"] for d in error["details"]}
    assert set(fields) >= {"nik", "penghasilan", "kode_lingkungan"}
    assert "16 digit" in fields["nik"]
    assert Worker.objects.count() == 0


def test_malformed_bodies_are_422_in_indonesian(api_as, city, kepling_user):
    body = registration(tanggal_lahir="15/05/1990", extra="x")
    del body["nama"]
    error = assert_error(api_as(kepling_user).post("/workers", body), 422, "validation_error")
    fields = {d["field"]: d["message"] for d in error["details"]}
    assert fields["nama"] == "Kolom ini wajib diisi."
    assert fields["tanggal_lahir"] == "Tulis tanggal dengan format YYYY-MM-DD."
    assert fields["extra"] == "Kolom ini tidak diterima di sini."
    assert error["message"] == "Permintaan tidak valid."


def test_registration_without_consent_is_refused(api_as, city, kepling_user):
    error = assert_error(api_as(kepling_user).post("/workers", registration(consent=False)), 422, "invalid_data")
    assert error["details"][0]["field"] == "consent"


def test_a_nik_registered_elsewhere_opens_a_conflict(api_as, city, kepling_user, other_kepling):
    make_worker(city.lingkungan[1], nik="1271011505900001", credited_kepling=other_kepling)
    response = api_as(kepling_user).post("/workers", registration())
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "conflict"
    assert body["worker"] is None  # registered in another lingkungan: not shown
    assert body["conflict"]["opened_by_this_request"] is True
    assert AttributionConflict.objects.filter(pk=body["conflict"]["id"]).exists()
    assert body["warnings"][0]["field"] == "nik"


def test_read_only_roles_may_not_register(api_as, city, pimpinan):
    for user in (pimpinan,):
        assert_error(api_as(user).post("/workers", registration()), 403, "forbidden")
    assert Worker.objects.count() == 0


def test_correcting_a_worker(api_as, city, kepling_user):
    worker = make_worker(city.lingkungan[0], nama="Budi")
    client = api_as(kepling_user)
    response = client.patch(f"/workers/{worker.pk}", {"nama": "Budi Santoso", "penghasilan": 2_000_000})
    assert response.status_code == 200, response.content
    worker.refresh_from_db()
    assert (worker.nama, worker.penghasilan) == ("Budi Santoso", 2_000_000)
    assert AuditLog.objects.filter(action="worker_updated", object_id=str(worker.pk)).exists()

    bad = client.patch(f"/workers/{worker.pk}", {"penghasilan": 5})
    assert assert_error(bad, 422, "invalid_data")["details"][0]["field"] == "penghasilan"
    nik = client.patch(f"/workers/{worker.pk}", {"nik": "1271011505900002"})
    assert_error(nik, 422, "validation_error")
    worker.refresh_from_db()
    assert worker.penghasilan == 2_000_000


def test_months_and_payments_of_a_worker(api_as, city, kepling_user):
    worker = make_worker(city.lingkungan[0], registered="2025-06-02")
    record_payment(
        by=None, worker=worker, periode=datetime.date(2025, 6, 1), jumlah=16_800,
        tanggal_bayar=datetime.date(2025, 6, 10), referensi="REF-1",
    )
    client = api_as(kepling_user)
    months = client.get(f"/workers/{worker.pk}/months", as_of="2025-06-20").json()
    assert months["paid_months"] == ["2025-06"]
    assert months["status"] == "active"
    assert months["months"][0]["covered"] is True
    assert months["months"][0]["amount_paid"] == 16_800
    later = client.get(f"/workers/{worker.pk}/months", as_of="2025-11-20").json()
    assert later["status"] == "inactive" and later["arrears_months"] >= 4
    payments = client.get(f"/workers/{worker.pk}/payments").json()
    assert [p["referensi"] for p in payments["items"]] == ["REF-1"]
    assert client.get(f"/workers/{worker.pk}", as_of="2025-06-20").json()["status"] == "active"


def test_a_future_as_of_is_refused(api_as, city, kepling_user):
    error = assert_error(api_as(kepling_user).get("/workers", as_of="2999-01-01"), 422, "validation_error")
    assert error["details"][0]["field"] == "as_of"
