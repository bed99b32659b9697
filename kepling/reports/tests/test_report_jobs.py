"""Reports are background jobs: progress, a download link that lasts, and a second click that builds nothing."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings

from kepling.core.models import AuditLog
from kepling.reports.models import ReportJob, ReportStatus

pytestmark = pytest.mark.django_db
AS_OF = "2025-10-29"
QUEUED_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_second_click_downloads_the_same_file_without_building_it_again(city, lurah):
    client = client_for(lurah)
    first = client.get(f"/laporan/12.71.01.1001/?per={AS_OF}&format=xlsx")
    second = client.get(f"/laporan/12.71.01.1001/?per={AS_OF}&format=xlsx")
    assert first.content == second.content and first.content.startswith(b"PK")
    assert AuditLog.objects.filter(action="report_exported", actor=lurah).count() == 1
    assert AuditLog.objects.filter(action="report_downloaded", actor=lurah).count() == 2
    assert ReportJob.objects.count() == 1


def test_without_a_worker_the_job_page_shows_progress_then_a_lasting_link(city, lurah, camat):
    client = client_for(lurah)
    with override_settings(TASKS=QUEUED_TASKS):
        response = client.get(f"/laporan/12.71.01.1001/?per={AS_OF}&format=pdf")
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/laporan/unduhan/{job.pk}/"
    waiting = client.get(f"/laporan/unduhan/{job.pk}/", HTTP_HX_REQUEST="true")
    assert 'data-status="queued"' in waiting.content.decode() and "hx-trigger" in waiting.content.decode()

    ReportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - datetime.timedelta(seconds=5))
    ready = client.get(f"/laporan/unduhan/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE and f"/laporan/unduhan/{job.pk}/berkas/" in ready
    for _ in range(2):
        download = client.get(f"/laporan/unduhan/{job.pk}/berkas/")
        assert download.content.startswith(b"%PDF")
    assert client_for(camat).get(f"/laporan/unduhan/{job.pk}/berkas/").status_code == 404  # only its requester
    assert f"/laporan/unduhan/{job.pk}/" in client.get("/laporan/").content.decode()


def test_the_job_page_shows_the_share_of_work_done_and_keeps_polling(city, lurah):
    client = client_for(lurah)
    with override_settings(TASKS=QUEUED_TASKS):
        client.get(f"/laporan/12.71.01.1001/?per={AS_OF}&format=xlsx")
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.RUNNING, progress=42)
    running = client.get(f"/laporan/unduhan/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-valuenow="42"' in running and "w-42" in running and "42% done." in running
    assert f'hx-get="/laporan/unduhan/{job.pk}/"' in running and "<script" not in running


def test_the_builder_reports_its_progress_in_order_up_to_all_done(city, admin_kota):
    from kepling.reports.builder import export
    from kepling.testing import make_worker

    for n in range(2500):
        make_worker(city.lingkungan[n % 8], nama=f"Pekerja {n}", registered="2025-06-02")
    heard: list[float] = []
    export(admin_kota, city.kota, datetime.date(2025, 10, 29), "xlsx", progress=heard.append)
    assert heard == sorted(heard) and heard[-1] == 1.0
    assert len([p for p in heard if 0.15 < p < 0.85]) >= 2  # the workers sheet reports as it goes
    pdf_heard: list[float] = []
    export(admin_kota, city.kota, datetime.date(2025, 10, 29), "pdf", progress=pdf_heard.append)
    assert pdf_heard == sorted(pdf_heard) and len(pdf_heard) >= 3 and pdf_heard[-1] == 1.0


def test_a_built_job_ends_at_100_percent_with_the_date_its_link_lasts_until(city, lurah, settings):
    settings.REPORT_RETENTION_DAYS = 7
    client = client_for(lurah)
    client.get(f"/laporan/12.71.01.1001/?per={AS_OF}&format=pdf")
    job = ReportJob.objects.get()
    assert job.status == ReportStatus.DONE and job.progress == 100
    assert job.finished_at is not None
    assert job.available_until == job.finished_at + datetime.timedelta(days=7)
    page = client.get(f"/laporan/unduhan/{job.pk}/").content.decode()
    assert "stays available to download until" in page


def test_purge_files_deletes_report_files_past_retention_and_marks_their_jobs_expired(city, lurah, settings):
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from kepling.reports.jobs import storage_path

    settings.REPORT_RETENTION_DAYS = 7
    client = client_for(lurah)
    client.get(f"/laporan/12.71.01.1001/?per={AS_OF}&format=pdf")
    client.get(f"/laporan/12.71.01.1001/?per={AS_OF}&format=xlsx")
    old, recent = ReportJob.objects.order_by("pk")
    ReportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=8))
    ReportJob.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - datetime.timedelta(days=6))
    out = StringIO()
    call_command("purge_files", "--json", stdout=out)
    assert json.loads(out.getvalue())["reports"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == ReportStatus.EXPIRED and not storage_path(old).exists()
    assert recent.status == ReportStatus.DONE and storage_path(recent).exists()
    assert client.get(f"/laporan/unduhan/{recent.pk}/berkas/").content.startswith(b"PK")
    gone = client.get(f"/laporan/unduhan/{old.pk}/berkas/")
    assert gone.status_code == 302  # back to the job page, which says the file was deleted
    page = client.get(f"/laporan/unduhan/{old.pk}/").content.decode()
    assert 'data-status="expired"' in page and "format=pdf" in page
    assert AuditLog.objects.filter(action="report_files_purged").count() == 1
    # Asking again builds a new job: the expired one no longer stands for the report.
    again = client.get(f"/laporan/12.71.01.1001/?per={AS_OF}&format=pdf")
    assert again.content.startswith(b"%PDF")
    assert ReportJob.objects.filter(status=ReportStatus.DONE).count() == 2
    out = StringIO()
    call_command("purge_files", "--json", stdout=out)
    assert json.loads(out.getvalue())["reports"] == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clicks_at_the_same_moment_get_one_job(city, lurah):
    import threading

    from django.db import connection

    from kepling.reports.jobs import request_report

    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL (SQLite serialises the writers)")
    start = threading.Barrier(2)
    jobs: list[int] = []

    def click() -> None:
        try:
            start.wait()
            jobs.append(request_report(by=lurah, node=city.kelurahan[0], as_of=datetime.date(2025, 10, 29),
                                       fmt="xlsx").pk)
        finally:
            connection.close()

    with override_settings(TASKS=QUEUED_TASKS):
        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(jobs) == 2 and jobs[0] == jobs[1]
    assert ReportJob.objects.count() == 1
    assert AuditLog.objects.filter(action="report_requested").count() == 1
