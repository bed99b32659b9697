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
