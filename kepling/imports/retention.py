"""How long uploaded files and credential sheets stay on disk (they hold full NIKs and passwords).

An applied file with no rejected row is deleted at once: nothing needs it any more (its SHA-256
stays on the job, so the same file is still recognised and never applied twice). A file with
rejected rows is kept for its error report, and any upload not applied is kept for the uploader
to finish, each for `IMPORT_FILE_RETENTION_DAYS`; credential sheets written by `import_kepling`
under var/credentials/ for `CREDENTIALS_RETENTION_DAYS`. `kepling purge_files` (nightly) deletes what is due.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from kepling.core import audit
from kepling.imports.models import ImportJob, JobStatus
from kepling.regions.credentials import credentials_dir

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def open_private(path: Path, mode: str = "wb", **options: Any) -> IO[Any]:
    """A new file readable by its owner only from the moment it exists, in an owner-only folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(PRIVATE_DIR)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # an existing file keeps its old mode through O_CREAT
    return os.fdopen(descriptor, mode, **options)


def job_files(job: ImportJob) -> list[Path]:
    """The upload and the copies made of it (the header-mapped CSV and its partial write)."""
    if not job.file:
        return []
    mapped = job.path.with_name(f"job-{job.pk}-mapped.csv")
    return [job.path, mapped, mapped.with_suffix(".part")]


def delete_job_files(job: ImportJob) -> bool:
    """Delete what is stored of a job's file; True when something was deleted."""
    deleted = False
    for path in job_files(job):
        if path.exists():
            path.unlink()
            deleted = True
    return deleted


def forget_if_clean(job: ImportJob) -> None:
    """After applying: a file without rejected rows is deleted at once."""
    if job.status == JobStatus.DONE and not (job.result or {}).get("errors"):
        delete_job_files(job)


def purge_files(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the uploads and credential sheets whose retention has passed; audited."""
    moment = now or timezone.now()
    uploads_before = moment - datetime.timedelta(days=int(settings.IMPORT_FILE_RETENTION_DAYS))
    deleted_uploads = 0
    for job in ImportJob.objects.filter(created_at__lt=uploads_before).exclude(file=""):
        if delete_job_files(job):
            deleted_uploads += 1
    sheets_before = (moment - datetime.timedelta(days=int(settings.CREDENTIALS_RETENTION_DAYS))).timestamp()
    deleted_sheets = 0
    # Sheets are written to var/credentials/; older versions wrote them to var/ itself.
    sheets = [*credentials_dir().glob("credentials-*.xlsx"), *Path(settings.VAR_DIR).glob("credentials-*.xlsx")]
    for sheet in sheets:
        if sheet.stat().st_mtime < sheets_before:
            sheet.unlink()
            deleted_sheets += 1
    counts = {"uploads": deleted_uploads, "credential_sheets": deleted_sheets}
    if deleted_uploads or deleted_sheets:
        audit.record(actor=None, action="stored_files_purged", object_type="file", new=counts)
    return counts
