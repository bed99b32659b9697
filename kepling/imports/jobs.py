"""Import jobs: store an upload, preview it, map its headers, check it, then apply it once.

The web and the command line apply files with the same functions
(`kepling.contributions.imports.import_payments_file`, `kepling.workers.imports.import_workers_file`);
a job adds what a browser needs around them: the stored file and its SHA-256 (a file already
applied is never applied again), a dry run before applying, progress, and the result.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.accounts.permissions import may_see_all_import_jobs, may_upload
from kepling.accounts.scoping import root_wilayah
from kepling.contributions.imports import PAYMENT_COLUMNS, PAYMENT_OPTIONAL, import_payments_file
from kepling.core import audit
from kepling.core.filelimits import ACCEPTED_SUFFIXES
from kepling.core.tabular import ImportResult, UnusableFileError, normalise_header, read_raw
from kepling.imports.models import ColumnMapping, ImportJob, ImportKind, JobStatus
from kepling.imports.retention import forget_if_clean, open_private
from kepling.reconciliation.tasks import reconcile_after_import
from kepling.workers import imports as worker_imports

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 10
# A file this small is applied inside the web process when no task worker picks it up in time.
IN_PROCESS_LIMIT = 20_000
IN_PROCESS_AFTER_SECONDS = 2
# A running job touches its heartbeat file this often (from a thread of its own: the job's row is
# locked by its transaction); a job whose heartbeat is older than IMPORT_STALE_AFTER_SECONDS lost
# its worker (killed, out of memory, a deploy's restart) and may be started again.
HEARTBEAT_SECONDS = 5
DEFAULT_STALE_AFTER_SECONDS = 60
STORAGE = "imports"

COLUMNS = {
    ImportKind.PAYMENTS: (PAYMENT_COLUMNS, PAYMENT_OPTIONAL),
    ImportKind.WORKERS: (worker_imports.REQUIRED_COLUMNS, worker_imports.OPTIONAL_COLUMNS),
}


def contract_columns(kind: str) -> list[str]:
    required, optional = COLUMNS[ImportKind(kind)]
    return [*required, *optional]


def kinds_for(user: User) -> list[ImportKind]:
    return [kind for kind in ImportKind if may_upload(user, kind)]


def jobs_for(user: User) -> QuerySet[ImportJob]:
    """The jobs a user may see: their own, and every job for the city-wide import roles."""
    jobs = ImportJob.objects.select_related("uploaded_by", "scope")
    if may_see_all_import_jobs(user):
        return jobs
    return jobs.filter(uploaded_by=user)


def access_job(user: User, job_id: object) -> ImportJob:
    """One job, or Http404 alike for 'missing' and 'not yours'."""
    try:
        pk = int(str(job_id))
    except ValueError:
        raise Http404("job") from None
    job = jobs_for(user).filter(pk=pk).first()
    if job is None:
        raise Http404("job")
    return job


def mapping_source(user: User | None, kind: str) -> str:
    """Files from the same uploader and of the same kind share their header mapping."""
    return f"{user.pk if user is not None else 'system'}:{kind}"


def _storage_dir() -> Path:
    folder = Path(settings.VAR_DIR) / STORAGE
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix in ACCEPTED_SUFFIXES else ".csv"


@transaction.atomic
def create_job(*, by: User | None, kind: str, upload: UploadedFile | Path, name: str | None = None) -> ImportJob:
    """Store an uploaded file under VAR_DIR/imports and open a job for it."""
    if by is not None and not may_upload(by, kind):
        raise PermissionDenied(_("You may not upload this kind of file."))
    original = name or upload.name or "upload.csv"
    job = ImportJob.objects.create(
        kind=kind,
        file="",
        original_name=Path(original).name[:255],
        sha256="",
        uploaded_by=by,
        scope=root_wilayah(by) if by is not None else None,
    )
    relative = f"{STORAGE}/job-{job.pk}{_suffix(original)}"
    target = Path(settings.VAR_DIR) / relative
    with open_private(target) as out:
        if isinstance(upload, UploadedFile):
            for piece in upload.chunks():
                out.write(piece)
        else:
            out.write(upload.read_bytes())
    job.file = relative
    job.sha256 = _sha256(target)
    job.column_mapping = remembered_mapping(job)
    job.save(update_fields=["file", "sha256", "column_mapping"])
    audit.record(
        actor=by,
        action="import_uploaded",
        object_type="import_job",
        object_id=job.pk,
        new={"kind": kind, "name": job.original_name, "sha256": job.sha256},
    )
    return job


def earlier_applied(job: ImportJob) -> ImportJob | None:
    """The first job that applied the same file (same kind and SHA-256), if any."""
    return (
        ImportJob.objects.filter(kind=job.kind, sha256=job.sha256, status=JobStatus.DONE, duplicate_of__isnull=True)
        .exclude(pk=job.pk)
        .order_by("finished_at", "pk")
        .first()
    )


@dataclass
class Preview:
    """What the first rows of a file look like and how its headers match the contract."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    known: list[str]
    unknown: list[str]
    missing: list[str]
    error: str = ""


def preview(job: ImportJob) -> Preview:
    """The header, the first rows and which contract columns are found, mapped or missing."""
    first: list[tuple[int, list[str]]] = []
    if job.file and not job.path.exists():
        days = int(settings.IMPORT_FILE_RETENTION_DAYS)
        message = _(
            "The uploaded file is no longer stored: a file is deleted once it is applied without errors, "
            "and otherwise after %(days)d days. Its result stays below."
        ) % {"days": days}
        return Preview([], [], [], [], [], error=message)
    try:
        header, rows = read_raw(job.path)
        for number, cells in rows:
            if any(cells):
                first.append((number, cells))
            if len(first) >= PREVIEW_ROWS:
                break
    except UnusableFileError as exc:
        return Preview([], [], [], [], [], error=str(exc))
    contract = {normalise_header(c): c for c in contract_columns(job.kind)}
    mapped = {h: c for h, c in job.column_mapping.items() if c}
    known, unknown = [], []
    for title in header:
        key = normalise_header(title)
        if not key:
            continue
        if key in contract:
            known.append(contract[key])
        elif key in mapped:
            known.append(mapped[key])
        else:
            unknown.append(title)
    required = COLUMNS[ImportKind(job.kind)][0]
    missing = [c for c in required if c not in known]
    return Preview(header, first, known, unknown, missing)


def remembered_mapping(job: ImportJob) -> dict[str, str]:
    """The mapping stored for this job's source, limited to headers this file has."""
    try:
        header, _rows = read_raw(job.path)
    except UnusableFileError:
        return {}
    keys = {normalise_header(h) for h in header}
    stored = ColumnMapping.objects.filter(source=mapping_source(job.uploaded_by, job.kind), header__in=keys)
    return {m.header: m.column for m in stored}


@transaction.atomic
def save_mapping(*, by: User | None, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Remember what each unnamed header means, for this job and the next file from the same source."""
    allowed = set(contract_columns(job.kind))
    cleaned = {normalise_header(h): (c if c in allowed else "") for h, c in mapping.items() if normalise_header(h)}
    source = mapping_source(job.uploaded_by, job.kind)
    for header, column in cleaned.items():
        ColumnMapping.objects.update_or_create(source=source, header=header, defaults={"column": column})
    job.column_mapping = {**job.column_mapping, **cleaned}
    job.status = JobStatus.UPLOADED
    job.validation = None
    job.save(update_fields=["column_mapping", "status", "validation"])
    audit.record(actor=by, action="import_mapping_saved", object_type="import_job", object_id=job.pk, new=cleaned)
    return job


def effective_path(job: ImportJob) -> Path:
    """The file the import reads: the upload, or a copy whose headers carry the mapped contract names."""
    renames = {h: c for h, c in job.column_mapping.items() if c}
    if not renames:
        return job.path
    mapped = job.path.with_name(f"job-{job.pk}-mapped.csv")
    if mapped.exists() and mapped.stat().st_mtime >= job.path.stat().st_mtime:
        return mapped
    header, rows = read_raw(job.path)
    contract = {normalise_header(c) for c in contract_columns(job.kind)}
    # A header the file already names correctly wins over a mapped one.
    titles = [
        renames.get(normalise_header(h), h) if normalise_header(h) not in contract else h for h in header
    ]
    partial = mapped.with_suffix(".part")
    with open_private(partial, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        _write_numbered(writer, titles, rows)
    partial.replace(mapped)
    return mapped


def _write_numbered(writer: Any, header: list[str], rows: Iterable[tuple[int, list[str]]]) -> None:
    """Write rows so each lands on the line number it had in the upload (the error rows stay findable)."""
    writer.writerow(header)
    line = 1
    for number, cells in rows:
        while line + 1 < number:
            writer.writerow([])
            line += 1
        writer.writerow([c.replace("\r", " ").replace("\n", " ") for c in cells])
        line += 1


def run_import(
    job: ImportJob, *, dry_run: bool, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Apply (or check) the job's file with the same function the command line uses."""
    path = effective_path(job)
    if job.kind == ImportKind.PAYMENTS:
        return import_payments_file(path, by=job.uploaded_by, dry_run=dry_run, progress=progress)
    return worker_imports.import_workers_file(path, by=job.uploaded_by, dry_run=dry_run)


def validate_job(job: ImportJob) -> ImportJob:
    """Dry run: every row checked, counts and errors stored, nothing applied."""
    if job.status in {JobStatus.RUNNING, JobStatus.DONE}:
        return job
    try:
        result = run_import(job, dry_run=True)
    except UnusableFileError as exc:
        job.message = str(exc)
        job.validation = None
        job.status = JobStatus.UPLOADED
        job.save(update_fields=["message", "validation", "status"])
        return job
    job.validation = result.as_dict()
    job.rows_total = result.rows
    job.message = ""
    job.status = JobStatus.VALIDATED
    job.save(update_fields=["validation", "rows_total", "message", "status"])
    return job


def progress_path(job_id: int) -> Path:
    return _storage_dir() / f"job-{job_id}.progress"


def rows_done(job: ImportJob) -> int:
    """Rows read so far by a running job (kept in a file: the job's transaction is not yet visible)."""
    if job.status != JobStatus.RUNNING:
        return job.rows_done
    try:
        return int(progress_path(job.pk).read_text() or 0)
    except (OSError, ValueError):
        return 0


def _progress_writer(job_id: int) -> Callable[[int], None]:
    path = progress_path(job_id)

    def write(rows: int) -> None:
        path.write_text(str(rows))

    return write


def heartbeat_path(job_id: int) -> Path:
    return _storage_dir() / f"job-{job_id}.heartbeat"


class Heartbeat:
    """Touch a running job's heartbeat file every few seconds until stopped."""

    def __init__(self, job_id: int) -> None:
        self.path = heartbeat_path(job_id)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"import-{job_id}-heartbeat")

    def __enter__(self) -> Heartbeat:
        self.path.touch()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=HEARTBEAT_SECONDS * 2)
        self.path.unlink(missing_ok=True)

    def _beat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            self.path.touch()


def stale_after() -> float:
    return float(getattr(settings, "IMPORT_STALE_AFTER_SECONDS", DEFAULT_STALE_AFTER_SECONDS))


def is_stale(job: ImportJob) -> bool:
    """A job marked running whose worker is gone: no recent heartbeat, and (PostgreSQL) no lock held on it."""
    if job.status != JobStatus.RUNNING:
        return False
    now = timezone.now().timestamp()
    started = job.started_at.timestamp() if job.started_at else 0.0
    try:
        last = heartbeat_path(job.pk).stat().st_mtime
    except OSError:
        last = started
    if now - max(last, started) < stale_after():
        return False
    if connection.vendor != "postgresql":
        return True
    # The job's own transaction locks its row while it applies: a lock still held means it is alive.
    try:
        with transaction.atomic():
            ImportJob.objects.select_for_update(nowait=True).filter(pk=job.pk).exists()
    except DatabaseError:
        return False
    return True


def rerun_stale_job(*, by: User, job: ImportJob) -> ImportJob:
    """Start a job whose worker died again. Nothing of the interrupted run was committed, so it applies once."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not is_stale(locked):
            return locked
        locked.status = JobStatus.VALIDATED
        locked.message = ""
        locked.save(update_fields=["status", "message"])
        audit.record(
            actor=by,
            action="import_restarted_after_interruption",
            object_type="import_job",
            object_id=locked.pk,
            old={"started_at": locked.started_at},
        )
    progress_path(locked.pk).unlink(missing_ok=True)
    return start_job(locked)


def apply_job(job_id: int) -> ImportJob:
    """Apply a job's file in one transaction; a job already done, or a file already applied, changes nothing.

    Safe to run again after an interruption: nothing of an interrupted run was committed.
    """
    ImportJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    progress_path(job_id).write_text("0")
    try:
        with Heartbeat(job_id), transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != JobStatus.DONE:
                _apply_locked(job)
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
            status=JobStatus.FAILED, message=str(exc)[:1000], finished_at=timezone.now()
        )
        raise
    finally:
        progress_path(job_id).unlink(missing_ok=True)
    job = ImportJob.objects.get(pk=job_id)
    if job.duplicate_of_id is None and (job.result or {}).get("applied"):
        # After the commit, in this background run: the queues show what the file changed.
        reconcile_after_import(by=job.uploaded_by)
    forget_if_clean(job)
    return job


def _apply_locked(job: ImportJob) -> None:
    first = earlier_applied(job)
    if first is not None:
        job.duplicate_of = first
        job.result = first.result
        job.message = _("This file was already applied by import #%(id)d; nothing was applied again.") % {
            "id": first.pk
        }
        outcome = "import_skipped_duplicate"
    else:
        result = run_import(job, dry_run=False, progress=_progress_writer(job.pk))
        job.result = result.as_dict()
        job.rows_total = result.rows
        job.message = ""
        outcome = "import_applied"
    job.status = JobStatus.DONE
    job.rows_done = job.rows_total
    job.finished_at = timezone.now()
    job.save()
    counts = {k: v for k, v in (job.result or {}).items() if k not in {"errors", "warnings"}}
    audit.record(
        actor=job.uploaded_by, action=outcome, object_type="import_job", object_id=job.pk, new=counts,
        note=job.original_name,
    )


def start_job(job: ImportJob) -> ImportJob:
    """Queue the job for the task worker (`kepling db_worker`); see `run_if_no_worker` for the fallback."""
    from kepling.imports.tasks import apply_import_job

    if job.status in {JobStatus.RUNNING, JobStatus.DONE}:
        return job
    if job.status != JobStatus.VALIDATED:
        validate_job(job)
        if job.status != JobStatus.VALIDATED:
            return job
    job.enqueued_at = timezone.now()
    job.save(update_fields=["enqueued_at"])
    audit.record(actor=job.uploaded_by, action="import_started", object_type="import_job", object_id=job.pk)
    apply_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def run_if_no_worker(job: ImportJob) -> bool:
    """Apply a small queued job in this process when no task worker has taken it after a moment.

    A site without `kepling db_worker` (a first `make run`, the test site) still finishes its
    imports; large files wait for the worker. Returns whether this call started the job.
    """
    if job.status != JobStatus.VALIDATED or job.enqueued_at is None or job.rows_total > IN_PROCESS_LIMIT:
        return False
    if (timezone.now() - job.enqueued_at).total_seconds() < IN_PROCESS_AFTER_SECONDS:
        return False
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.VALIDATED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return False
    if _in_memory_database() or connection.in_atomic_block:
        # Another thread could not see this connection's data (an in-memory database, an open transaction).
        _apply_quietly(job.pk)
        return True
    threading.Thread(target=_apply_in_thread, args=(job.pk,), daemon=True).start()
    return True


def _in_memory_database() -> bool:
    name = str(connection.settings_dict["NAME"] or "")
    return connection.vendor == "sqlite" and (name in {"", ":memory:"} or "mode=memory" in name)


def _apply_quietly(job_id: int) -> None:
    try:
        apply_job(job_id)
    except Exception:
        logger.exception("Import job %s failed", job_id)


def _apply_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        _apply_quietly(job_id)
    finally:
        connection.close()
