"""Background tasks of the reports (run by `kepling db_worker`)."""

from __future__ import annotations

from django_tasks import task

from kepling.reports.jobs import build_report


@task()
def build_report_task(job_id: int) -> str:
    """Build one report file; idempotent, so a task delivered twice builds it once."""
    return str(build_report(job_id).status)
