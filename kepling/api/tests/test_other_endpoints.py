"""Wilayah and summary, imports, reconciliation queues, throttling, docs and the error shape."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings

from kepling.api.tests.conftest import assert_error
from kepling.contributions.ledger import record_payment
from kepling.contributions.models import Payment, WorkerMonth
from kepling.contributions.summaries import node_summary
from kepling.testing import make_worker
from kepling.workers.models import Worker

pytestmark = pytest.mark.django_db

WORKERS_CSV = (
    "nik,nama,jenis_kelamin,tanggal_lahir,no_hp,kode_lingkungan,pekerjaan,sektor,penghasilan,program,"
    "sumber_iuran,tanggal_daftar\n"
    "1271011505900011,Ani,L,1990-05-15,081234567890,12.71.01.1001.01,Pedagang,lainnya,1000000,JKK-JKM,mandiri,"
    "2025-06-02\n"
    "1271011505900012,Budi,L,1990-05-15,081234567891,12.71.01.1001.02,Pedagang,lainnya,1000000,JKK-JKM,mandiri,"
    "2025-06-02\n"
)


def test_wilayah_are_scoped_and_filtered(api_as, city, lurah, admin_kota):
    mine = api_as(lurah).get("/wilayah").json()
    assert [w["kode"] for w in mine["items"]] == ["12.71.01.1001", "12.71.01.1001.01", "12.71.01.1001.02"]
    admin = api_as(admin_kota)
    assert admin.get("/wilayah", tingkat="kecamatan").json()["count"] == 2
    children = admin.get("/wilayah", parent="12.71.01").json()["items"]
    assert [w["kode"] for w in children] == ["12.71.01.1001", "12.71.01.1002"]
    assert admin.get("/wilayah/12.71.01.1001.01").json()["parent_kode"] == "12.71.01.1001"
    assert_error(api_as(lurah).get("/wilayah/12.71.02"), 404, "not_found")
    assert_error(api_as(lurah).get("/wilayah/12.71.02/summary"), 404, "not_found")


def test_the_summary_equals_node_summary(api_as, city, camat):
    worker = make_worker(city.lingkungan[0], registered="2025-06-02")
    make_worker(city.lingkungan[1], registered="2025-06-03")
    record_payment(
        by=None, worker=worker, periode=datetime.date(2025, 6, 1), jumlah=16_800,
        tanggal_bayar=datetime.date(2025, 6, 10), referensi="REF-S",
    )
    body = api_as(camat).get("/wilayah/12.71.01/summary", as_of="2025-07-01").json()
    assert body == node_summary(city.kecamatan[0], datetime.date(2025, 7, 1))
    assert body["registered"] == 2 and body["protected"] == 1


@override_settings(KEPLING_API_RATE="3/m")
def test_a_token_over_its_rate_gets_429(api_as, city, kepling_user, other_kepling):
    client = api_as(kepling_user)
    assert [client.get("/wilayah").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/wilayah")
    error = assert_error(response, 429, "throttled")
    assert "Terlalu banyak" in error["message"]
    assert int(response["Retry-After"]) >= 1
    assert api_as(other_kepling).get("/wilayah").status_code == 200  # counted per token


def test_the_session_works_for_the_docs_page_and_the_api(city, kepling_user):
    client = Client()
    assert client.get("/api/v1/openapi.json").status_code == 200
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/docs/assets/settings.py").status_code == 404
    assert_error(client.get("/api/v1/wilayah"), 401, "not_authenticated")
    client.force_login(kepling_user)
    assert client.get("/api/v1/wilayah").status_code == 200


def test_bad_query_values_get_the_error_shape(api_as, city, kepling_user):
    client = api_as(kepling_user)
    error = assert_error(client.get("/workers", limit="many"), 422, "validation_error")
    assert error["details"] == [{"field": "limit", "message": "Jenis atau format nilai ini salah."}]
    assert_error(client.get("/workers", status="asleep"), 422, "validation_error")
    assert_error(client.get("/wilayah/12.71.01.1001.01/summary", as_of="kemarin"), 422, "validation_error")


def test_payment_imports_are_for_admin_kota_and_bpjs(api_as, city, petugas_bpjs, kepling_user):
    worker = make_worker(city.lingkungan[0], nik="1271011505900031")
    csv = (
        b"nik,periode,jumlah,tanggal_bayar,referensi\n"
        b"1271011505900031,2025-06,16800,2025-06-10,R-1\n"
        b"9999011505900031,2025-06,16800,2025-06-10,R-2\n"
        b"bad,2025-06,16800,2025-06-10,R-3\n"
    )
    assert_error(api_as(kepling_user).upload("/imports/payments", "p.csv", csv), 403, "forbidden")
    response = api_as(petugas_bpjs).upload("/imports/payments", "p.csv", csv)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["applied"], body["rejected"]) == (3, 2, 1)
    assert body["errors"][0]["row"] == 4
    assert Payment.objects.filter(worker=worker).count() == 1
    again = api_as(petugas_bpjs).upload("/imports/payments", "p.csv", csv).json()
    assert (again["applied"], again["already_present"]) == (0, 2)


def test_unusable_files_get_400(api_as, city, admin_kota):
    client = api_as(admin_kota)
    assert_error(client.upload("/imports/payments", "p.csv", b"a,b\n1,2\n"), 400, "unusable_file")
    assert_error(client.upload("/imports/payments", "p.exe", b"MZ"), 400, "unusable_file")


def test_a_kepling_imports_workers_for_their_own_lingkungan_only(api_as, city, kepling_user, petugas_bpjs):
    # The BPJS officer reads and reconciles; registering workers is for the Kepling and the area heads.
    assert_error(api_as(petugas_bpjs).upload("/imports/workers", "w.csv", WORKERS_CSV.encode()), 403, "forbidden")
    body = api_as(kepling_user).upload("/imports/workers", "w.csv", WORKERS_CSV.encode()).json()
    assert (body["rows"], body["applied"], body["rejected"]) == (2, 1, 1)
    assert body["errors"][0]["column"] == "kode_lingkungan"
    assert list(Worker.objects.values_list("lingkungan__kode", flat=True)) == ["12.71.01.1001.01"]
    assert "conflicts" in body["extra"]


def test_a_dry_run_import_changes_nothing(api_as, city, admin_kota):
    body = api_as(admin_kota).upload("/imports/workers", "w.csv", WORKERS_CSV.encode(), dry_run="true").json()
    assert body["rejected"] == 0
    assert Worker.objects.count() == 0


def test_unmatched_payments_are_for_city_wide_roles(api_as, city, pimpinan, lurah, admin_kota):
    csv = b"nik,periode,jumlah,tanggal_bayar,referensi\n9999011505900031,2025-06,16800,2025-06-10,R-9\n"
    api_as(admin_kota).upload("/imports/payments", "p.csv", csv)
    body = api_as(pimpinan).get("/reconciliation/unmatched-payments").json()
    assert body["count"] == 1
    assert body["items"][0]["nik_masked"] != "9999011505900031"
    assert "9999011505900031" not in str(body)
    assert_error(api_as(lurah).get("/reconciliation/unmatched-payments"), 403, "forbidden")


def test_underpaid_months_are_scoped(api_as, city, kepling_user, other_kepling):
    mine = make_worker(city.lingkungan[0], registered="2025-06-02")
    theirs = make_worker(city.lingkungan[1], registered="2025-06-02")
    for n, worker in enumerate((mine, theirs)):
        record_payment(
            by=None, worker=worker, periode=datetime.date(2025, 6, 1), jumlah=5_000,
            tanggal_bayar=datetime.date(2025, 6, 10), referensi=f"U-{n}",
        )
    assert WorkerMonth.objects.filter(amount_paid=5_000).count() == 2
    body = api_as(kepling_user).get("/reconciliation/underpaid").json()
    assert [i["worker_id"] for i in body["items"]] == [mine.pk]
    assert body["items"][0]["shortfall"] == body["items"][0]["amount_due"] - 5_000


def test_import_job_status_is_scoped(api_as, city, kepling_user, other_kepling, tmp_path):
    from kepling.imports.jobs import create_job

    path = tmp_path / "w.csv"
    path.write_text(WORKERS_CSV, encoding="utf-8")
    job = create_job(by=kepling_user, kind="workers", upload=path, name="w.csv")
    body = api_as(kepling_user).get(f"/imports/{job.pk}").json()
    assert (body["id"], body["kind"], body["original_name"]) == (job.pk, "workers", "w.csv")
    assert_error(api_as(other_kepling).get(f"/imports/{job.pk}"), 404, "not_found")


def test_a_forged_host_header_gets_the_error_shape_under_the_api():
    client = Client(HTTP_HOST="bukan host yang sah")
    answer = client.get("/api/v1/wilayah")
    assert_error(answer, 400, "bad_request")
    page = client.get("/masuk/")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_nul_character_in_the_query_is_refused_before_any_view(api_as, city, kepling_user):
    # PostgreSQL refuses NUL in text values: without the check this was a server error.
    assert_error(api_as(kepling_user).get("/workers", q="\x00Siti"), 400, "bad_request")
    assert_error(api_as(kepling_user).get("/wilayah", parent="12.71\x00"), 400, "bad_request")
    assert api_as(kepling_user).get("/workers", q="Siti").status_code == 200
    page = Client().get("/masuk/", {"next": "/\x00"})
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
