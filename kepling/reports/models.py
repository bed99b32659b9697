"""Report files built in the background, kept so their download link lasts and a second click reuses them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Deleted after its retention period")


# A job in one of these states holds no file and no longer stands for its report: asking again builds a new one.
ENDED = (ReportStatus.FAILED, ReportStatus.EXPIRED)


class ReportJob(models.Model):
    """One report a user asked for: the node, the date and the format, and the file once built."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    wilayah = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    format = models.CharField(max_length=4)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    file_name = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    # Share of the work done, 0 to 100, written by the builder as it goes.
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A second click finds the same job instead of building the file again.
            models.UniqueConstraint(
                fields=["requested_by", "wilayah", "as_of", "format"],
                condition=~models.Q(status__in=["failed", "expired"]),
                name="report_job_once_per_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.format} {self.as_of} ({self.status})"

    @property
    def available_until(self) -> datetime.datetime | None:
        """When the built file is deleted (`kepling purge_files`), `REPORT_RETENTION_DAYS` after it was built."""
        if self.finished_at is None:
            return None
        return self.finished_at + datetime.timedelta(days=int(settings.REPORT_RETENTION_DAYS))
