"""Background tasks of the import jobs (run by `kepling db_worker`)."""

from __future__ import annotations

from django_tasks import task

from kepling.imports.jobs import apply_job


@task()
def apply_import_job(job_id: int) -> str:
    """Apply one import job; idempotent, so a task delivered twice applies the file once."""
    return str(apply_job(job_id).status)
