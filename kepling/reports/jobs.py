"""Reports as background jobs: asked once, built by the task worker, downloaded as often as needed."""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from kepling.accounts.models import User
from kepling.contributions.summaries import refresh_summaries
from kepling.core import audit
from kepling.regions.models import Wilayah
from kepling.reports.builder import export
from kepling.reports.models import ENDED, ReportJob, ReportStatus

logger = logging.getLogger(__name__)
STORAGE = "reports"
# Without a task worker (a first `make run`, the test site) the page builds the file itself after this long.
IN_PROCESS_AFTER_SECONDS = 2
# The figures of the date are brought up to date before the builder starts: that counts as this share.
SUMMARIES_READY = 0.05


def storage_path(job: ReportJob) -> Path:
    folder = Path(settings.VAR_DIR) / STORAGE
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"report-{job.pk}.{job.format}"


def jobs_for(user: User) -> QuerySet[ReportJob]:
    """The report jobs a user asked for (a report holds personal data: only its requester downloads it)."""
    return ReportJob.objects.filter(requested_by=user).select_related("wilayah")


def access_report_job(user: User, job_id: object) -> ReportJob:
    try:
        pk = int(str(job_id))
    except ValueError:
        raise Http404("report") from None
    job = jobs_for(user).filter(pk=pk).first()
    if job is None:
        raise Http404("report")
    return job


def request_report(*, by: User, node: Wilayah, as_of: datetime.date, fmt: str) -> ReportJob:
    """The job for this report: the existing one when it was asked before, else a new one, queued."""
    existing = jobs_for(by).filter(wilayah=node, as_of=as_of, format=fmt).exclude(status__in=ENDED).first()
    if existing is not None and (existing.status != ReportStatus.DONE or storage_path(existing).exists()):
        return existing
    if existing is not None:  # the file was removed: build it again
        existing.status = ReportStatus.FAILED
        existing.save(update_fields=["status"])
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(requested_by=by, wilayah=node, as_of=as_of, format=fmt)
            audit.record(actor=by, action="report_requested", object_type="report_job", object_id=job.pk,
                         new={"node": node.kode, "date": as_of, "format": fmt})
    except IntegrityError:  # two clicks at once: the other one created it
        same = jobs_for(by).filter(wilayah=node, as_of=as_of, format=fmt)
        return same.exclude(status__in=ENDED).get()
    from kepling.reports.tasks import build_report_task

    build_report_task.enqueue(job.pk)
    job.refresh_from_db()
    return job


def build_report(job_id: int) -> ReportJob:
    """Build the file of a queued job (idempotent: a job already claimed or done is left alone)."""
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=timezone.now()
    )
    job = ReportJob.objects.select_related("requested_by", "wilayah").get(pk=job_id)
    if not claimed:
        return job
    return _build(job)


def progress_writer(job_id: int) -> Callable[[float], None]:
    """Store a build's share of work done as a whole percentage, each time it grows (at most 100 writes)."""
    written = [-1]

    def write(done: float) -> None:
        percent = max(0, min(100, int(done * 100)))
        if percent > written[0]:
            written[0] = percent
            ReportJob.objects.filter(pk=job_id).update(progress=percent)

    return write


def _build(job: ReportJob) -> ReportJob:
    write = progress_writer(job.pk)
    try:
        # Background work may wait for the date's summaries; a page never does.
        refresh_summaries([job.as_of])
        write(SUMMARIES_READY)
        content, name = export(
            job.requested_by, job.wilayah, job.as_of, job.format,
            progress=lambda done: write(SUMMARIES_READY + (1 - SUMMARIES_READY) * done),
        )
        path = storage_path(job)
        path.write_bytes(content)
        path.chmod(0o600)
    except Exception as exc:
        logger.exception("Report job %s failed", job.pk)
        job.status, job.message, job.finished_at = ReportStatus.FAILED, str(exc)[:500], timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job
    job.status, job.file_name, job.size, job.finished_at = ReportStatus.DONE, name, len(content), timezone.now()
    job.progress = 100
    job.save(update_fields=["status", "file_name", "size", "finished_at", "progress"])
    return job


def run_if_no_worker(job: ReportJob) -> bool:
    """Build a job no task worker has taken after a moment, in a thread of this process."""
    waited = (timezone.now() - job.created_at).total_seconds()
    if job.status != ReportStatus.QUEUED or waited < IN_PROCESS_AFTER_SECONDS:
        return False
    claimed = ReportJob.objects.filter(pk=job.pk, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return False
    fresh = ReportJob.objects.select_related("requested_by", "wilayah").get(pk=job.pk)
    in_memory = connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"])
    if connection.in_atomic_block or in_memory:  # another thread could not see this connection's data
        _build(fresh)
        return True
    threading.Thread(target=_build_in_thread, args=(fresh,), daemon=True).start()
    return True


def _build_in_thread(job: ReportJob) -> None:
    close_old_connections()
    try:
        _build(job)
    finally:
        connection.close()
