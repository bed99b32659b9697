"""Import jobs through the web: upload, preview, check, apply, result, error report, re-upload, scoping."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from kepling.contributions import imports as payment_imports
from kepling.contributions.models import Payment
from kepling.core.models import AuditLog
from kepling.imports import jobs
from kepling.imports.models import ColumnMapping, ImportJob, JobStatus
from kepling.imports.tests.helpers import (
    KNOWN_NIK,
    PAYMENT_HEADER,
    assert_nothing_lost,
    messy_extract,
    write_csv,
)
from kepling.reconciliation.matching import rebuild_queue
from kepling.reconciliation.models import ItemKind, ItemStatus, ReconciliationItem
from kepling.testing import make_worker
from kepling.workers.models import Worker

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 10, 29)


@pytest.fixture
def worker(city):
    return make_worker(city.lingkungan[0], nik=KNOWN_NIK, kpj="12345678901")


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def upload(client: Client, kind: str, path) -> ImportJob:
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload", args=[kind]), {"file": handle})
    assert response.status_code == 302, response.content[:500]
    return ImportJob.objects.latest("pk")


def check_and_apply(client: Client, job: ImportJob) -> ImportJob:
    assert client.post(reverse("imports:validate", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.VALIDATED
    assert client.post(reverse("imports:apply", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    return job


def test_messy_extract_is_applied_whole_and_fills_the_queues(worker, petugas_bpjs, tmp_path):
    client = signed_in(petugas_bpjs)
    job = upload(client, "payments", messy_extract(tmp_path / "extract.csv"))
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "REF-1" in page and "Preview" in page

    job = check_and_apply(client, job)

    assert job.status == JobStatus.DONE
    assert job.validation["applied"] == job.result["applied"] == 3
    assert job.result["rows"] == 7 and job.result["rejected"] == 4
    assert_nothing_lost(job.result)
    messages = {e["row"]: e["message"] for e in job.result["errors"]}
    assert "already appears in row 2" in messages[5]
    assert "not a month" in messages[6]
    assert "not a Rupiah amount" in messages[7]
    unknown = Payment.objects.get(referensi="REF-3")
    assert unknown.worker is None and unknown.nik_masked.startswith("1271")

    rebuild_queue(AS_OF)
    queues = {i.kind: i for i in ReconciliationItem.objects.filter(status=ItemStatus.OPEN)}
    assert queues[ItemKind.UNMATCHED_PAYMENT].payment == unknown
    assert queues[ItemKind.UNDERPAID_MONTH].worker == worker
    assert queues[ItemKind.UNDERPAID_MONTH].details["shortfall"] == 8800
    assert AuditLog.objects.filter(action="import_applied", object_id=str(job.pk)).exists()


def test_the_same_file_twice_applies_nothing_the_second_time(worker, petugas_bpjs, tmp_path):
    client = signed_in(petugas_bpjs)
    path = messy_extract(tmp_path / "extract.csv")
    first = check_and_apply(client, upload(client, "payments", path))
    payments = list(Payment.objects.values_list("referensi", flat=True))

    second = check_and_apply(client, upload(client, "payments", path))

    assert second.status == JobStatus.DONE and second.duplicate_of == first
    assert second.result == first.result
    assert list(Payment.objects.values_list("referensi", flat=True)) == payments
    # The same rows in a different file are found already present, row by row.
    write_csv(tmp_path / "again.csv", PAYMENT_HEADER, [[KNOWN_NIK, "", "2025-06", "16800", "2025-06-10", "REF-1"]])
    third = check_and_apply(client, upload(client, "payments", tmp_path / "again.csv"))
    assert third.result["already_present"] == 1 and third.result["applied"] == 0
    assert Payment.objects.count() == len(payments)


def test_an_interrupted_apply_leaves_nothing_and_a_rerun_applies_everything(worker, petugas_bpjs, tmp_path):
    rows = [[KNOWN_NIK, "", f"2025-{m:02d}", "16800", f"2025-{m:02d}-10", f"R-{m}"] for m in range(5, 11)]
    job = jobs.create_job(by=petugas_bpjs, kind="payments", upload=write_csv(tmp_path / "p.csv", PAYMENT_HEADER, rows))
    jobs.validate_job(job)
    real = payment_imports.PaymentImport.apply_chunk
    calls = {"n": 0}

    def killed_after_two_chunks(self, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(self, chunk)

    with mock.patch.object(payment_imports, "CHUNK", 2), mock.patch.object(
        payment_imports.PaymentImport, "apply_chunk", killed_after_two_chunks
    ), pytest.raises(RuntimeError):
        jobs.apply_job(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "worker killed" in job.message
    assert Payment.objects.count() == 0
    assert not worker.months.exists()

    jobs.apply_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["applied"] == 6
    assert Payment.objects.count() == 6
    jobs.apply_job(job.pk)  # delivered again: a job already done is not applied again
    assert Payment.objects.count() == 6


def test_error_report_has_each_problem_with_the_original_row_and_no_formulas(worker, petugas_bpjs, tmp_path):
    client = signed_in(petugas_bpjs)
    job = check_and_apply(client, upload(client, "payments", messy_extract(tmp_path / "extract.csv")))

    response = client.get(reverse("imports:errors", args=[job.pk]))

    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["Row", "Column", "Message"] and rows[0][3:] == PAYMENT_HEADER
    by_row = {int(float(str(r[0]))): r for r in rows[1:]}
    assert set(by_row) == {5, 6, 7, 8}
    assert by_row[6][3 + PAYMENT_HEADER.index("periode")] == "2025-13"
    formula_cell = by_row[8][3 + PAYMENT_HEADER.index("referensi")]
    assert formula_cell == "'=HYPERLINK(\"http://x\")"
    assert by_row[8][3 + PAYMENT_HEADER.index("jumlah")] == "'-16800"
    assert AuditLog.objects.filter(action="import_errors_exported", actor=petugas_bpjs).exists()


def test_kepling_may_not_upload_payments(kepling_user):
    client = signed_in(kepling_user)
    assert client.get(reverse("imports:upload", args=["payments"])).status_code == 403
    assert client.post(reverse("imports:upload", args=["payments"]), {}).status_code == 403
    assert client.get(reverse("imports:upload", args=["workers"])).status_code == 200


WORKER_HEADER = [
    "nik", "nama", "jenis_kelamin", "tanggal_lahir", "no_hp", "kode_lingkungan", "pekerjaan", "sektor",
    "penghasilan", "program", "sumber_iuran", "tanggal_daftar",
]


def worker_row(nik: str, kode: str) -> list[str]:
    return [nik, "Budi", "L", "12/04/1990", "081234567890", kode, "Pedagang", "lainnya", "1000000", "JKK-JKM",
            "mandiri", "02/06/2025"]


def test_kepling_worker_file_rows_for_another_lingkungan_are_rejected(city, kepling_user, tmp_path):
    client = signed_in(kepling_user)
    path = write_csv(
        tmp_path / "w.csv",
        WORKER_HEADER,
        [
            worker_row("1271011204900011", city.lingkungan[0].kode),
            worker_row("1271011204900012", city.lingkungan[1].kode),
        ],
    )
    job = check_and_apply(client, upload(client, "workers", path))

    assert job.status == JobStatus.DONE
    assert job.result["applied"] == 1 and job.result["rejected"] == 1
    error = job.result["errors"][0]
    assert error["row"] == 3 and "may not register workers in lingkungan 12.71.01.1001.02" in error["message"]
    assert list(Worker.objects.values_list("lingkungan", flat=True)) == [city.lingkungan[0].pk]


def test_jobs_are_private_to_their_uploader(city, kepling_user, other_kepling, petugas_bpjs, tmp_path):
    path = write_csv(tmp_path / "w.csv", WORKER_HEADER, [worker_row("1271011204900011", city.lingkungan[0].kode)])
    job = upload(signed_in(kepling_user), "workers", path)
    assert signed_in(other_kepling).get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert signed_in(petugas_bpjs).get(reverse("imports:job", args=[job.pk])).status_code == 200


def test_unnamed_headers_are_mapped_once_and_remembered(worker, petugas_bpjs, tmp_path):
    client = signed_in(petugas_bpjs)
    header = ["NIK", "KPJ", "Periode", "Jumlah", "Tgl Bayar", "No Referensi"]
    rows = [[KNOWN_NIK, "", "2025-06", "16800", "2025-06-10", "M-1"]]
    job = upload(client, "payments", write_csv(tmp_path / "a.csv", header, rows))
    preview = jobs.preview(job)
    assert preview.missing == ["tanggal_bayar", "referensi"] and preview.unknown == ["Tgl Bayar", "No Referensi"]

    client.post(reverse("imports:mapping", args=[job.pk]), {"h0": "tanggal_bayar", "h1": "referensi"})
    job = check_and_apply(client, ImportJob.objects.get(pk=job.pk))
    assert job.result["applied"] == 1
    assert ColumnMapping.objects.filter(header="norefer" + "ensi", column="referensi").exists()

    rows = [[KNOWN_NIK, "", "2025-07", "16800", "2025-07-10", "M-2"]]
    second = upload(client, "payments", write_csv(tmp_path / "b.csv", header, rows))
    assert jobs.preview(second).missing == []
    assert check_and_apply(client, second).result["applied"] == 1


def test_progress_fragment_and_in_process_fallback_when_no_worker_runs(worker, petugas_bpjs, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = signed_in(petugas_bpjs)
    rows = [[KNOWN_NIK, "", "2025-06", "16800", "2025-06-10", "F-1"]]
    job = upload(client, "payments", write_csv(tmp_path / "f.csv", PAYMENT_HEADER, rows))
    job = check_and_apply(client, job)
    assert job.status == JobStatus.VALIDATED and job.enqueued_at is not None  # queued, no worker took it

    fragment = client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'role="progressbar"' in fragment
    ImportJob.objects.filter(pk=job.pk).update(enqueued_at=job.enqueued_at - datetime.timedelta(seconds=5))

    response = client.get(reverse("imports:status", args=[job.pk]), HTTP_HX_REQUEST="true")

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["applied"] == 1
    assert response["HX-Refresh"] == "true"
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'data-count="applied">1<' in page


class WorkerProcessKilled(BaseException):
    """The process applying the job ends mid-way (SIGTERM of a deploy, out of memory)."""


def test_a_job_whose_worker_died_is_detected_and_started_again_from_its_page_applying_once(
    worker, petugas_bpjs, tmp_path, settings
):
    rows = [[KNOWN_NIK, "", f"2025-{m:02d}", "16800", f"2025-{m:02d}-10", f"R-{m}"] for m in range(5, 11)]
    client = signed_in(petugas_bpjs)
    job = upload(client, "payments", write_csv(tmp_path / "p.csv", PAYMENT_HEADER, rows))
    jobs.validate_job(job)
    real = payment_imports.PaymentImport.apply_chunk
    calls = {"n": 0}

    def dies_after_two_chunks(self, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerProcessKilled
        return real(self, chunk)

    with mock.patch.object(payment_imports, "CHUNK", 2), mock.patch.object(
        payment_imports.PaymentImport, "apply_chunk", dies_after_two_chunks
    ), pytest.raises(WorkerProcessKilled):
        jobs.apply_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and Payment.objects.count() == 0  # "running" for ever, before

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "The import was interrupted" not in page  # within the grace period it may still be alive
    settings.IMPORT_STALE_AFTER_SECONDS = 0
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "The import was interrupted" in page and "Start the import again" in page

    assert client.post(reverse("imports:apply", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["applied"] == 6
    assert Payment.objects.count() == 6
    assert client.post(reverse("imports:apply", args=[job.pk])).status_code == 302  # once more: nothing
    assert Payment.objects.count() == 6
    assert AuditLog.objects.filter(action="import_restarted_after_interruption", actor=petugas_bpjs).count() == 1
