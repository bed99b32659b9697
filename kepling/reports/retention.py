"""How long built report files stay on disk: `REPORT_RETENTION_DAYS` after they were built (they hold
personal data), then `kepling purge_files` (nightly) deletes them and marks their jobs expired.

Until then the download link of a job keeps working; afterwards its page says the file was
deleted and offers to build it again (an expired job no longer stands for its report).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from kepling.core import audit
from kepling.reports.jobs import storage_path
from kepling.reports.models import ReportJob, ReportStatus


def purge_report_files(now: datetime.datetime | None = None) -> int:
    """Delete the report files past their retention and mark their jobs expired; how many; audited."""
    moment = now or timezone.now()
    built_before = moment - datetime.timedelta(days=int(settings.REPORT_RETENTION_DAYS))
    expired = 0
    for job in ReportJob.objects.filter(status=ReportStatus.DONE, finished_at__lt=built_before):
        storage_path(job).unlink(missing_ok=True)
        # Only a job still done is expired: one asked for again in the meantime is left alone.
        expired += ReportJob.objects.filter(pk=job.pk, status=ReportStatus.DONE).update(status=ReportStatus.EXPIRED)
    if expired:
        audit.record(actor=None, action="report_files_purged", object_type="file", new={"reports": expired})
    return expired
