"""A real task worker killed (SIGKILL) while it applies an import: the job is detected and applied once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from kepling.contributions.models import Payment
from kepling.core.models import AuditLog
from kepling.imports import jobs
from kepling.imports.models import ImportJob, JobStatus
from kepling.imports.tests.helpers import KNOWN_NIK, PAYMENT_HEADER, UNKNOWN_NIK, write_csv
from kepling.testing import make_worker

# The task worker is another process: it sees committed rows of the test database only.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres(reason="the worker process needs a shared database"),
]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _worker_process(settings) -> subprocess.Popen[bytes]:
    params = connection.settings_dict
    url = f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "KEPLING_VAR_DIR": str(settings.VAR_DIR), "DEBUG": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "kepling.manage", "db_worker", "--no-startup-delay", "--interval", "0.1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def _wait(job: ImportJob, status: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return
        time.sleep(0.02)
    raise AssertionError(f"job {job.pk} is {job.status}, not {status}, after {seconds} s")


def test_a_job_whose_task_worker_was_killed_is_started_again_and_applies_once(city, petugas_bpjs, settings, tmp_path):
    make_worker(city.lingkungan[0], nik=KNOWN_NIK)
    # Enough rows that the worker is still applying when it is killed (unknown NIKs are kept too).
    rows = [
        [UNKNOWN_NIK, "", f"{2000 + n // 12}-{n % 12 + 1:02d}", "16800", "2025-06-10", f"R-{n}"] for n in range(30_000)
    ]
    rows.append([KNOWN_NIK, "", "2025-06", "16800", "2025-06-10", "R-known"])
    upload = write_csv(tmp_path / "big.csv", PAYMENT_HEADER, rows)
    job = jobs.create_job(by=petugas_bpjs, kind="payments", upload=upload)
    jobs.validate_job(job)
    with override_settings(TASKS=DATABASE_TASKS):
        jobs.start_job(job)

    worker = _worker_process(settings)
    try:
        _wait(job, JobStatus.RUNNING, 60)
        time.sleep(0.3)  # mid-way through the file
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and the process it runs tasks in (its reloader's child)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and Payment.objects.count() == 0  # nothing half-applied

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(petugas_bpjs)
    settings.IMPORT_STALE_AFTER_SECONDS = 1
    deadline = time.monotonic() + 30
    while "The import was interrupted" not in client.get(reverse("imports:job", args=[job.pk])).content.decode():
        assert time.monotonic() < deadline, "the interrupted job was never detected"
        time.sleep(0.5)

    assert client.post(reverse("imports:apply", args=[job.pk])).status_code == 302  # runs in this process
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["rows"] == len(rows)
    assert Payment.objects.filter(worker__isnull=False).count() == 1
    applied = job.result["applied"]
    assert client.post(reverse("imports:apply", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.result["applied"] == applied and Payment.objects.filter(worker__isnull=False).count() == 1
    assert AuditLog.objects.filter(action="import_restarted_after_interruption").count() == 1
