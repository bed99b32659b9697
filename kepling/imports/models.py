"""Import jobs: one uploaded file, its checks, its application in the background and its result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PAYMENTS = "payments", _("BPJS payment extract")
    WORKERS = "workers", _("Worker registrations")


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATED = "validated", _("Checked")
    RUNNING = "running", _("Applying")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded file. Remembered by SHA-256 so the same file is never applied twice."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file = models.CharField(_("stored file"), max_length=255, help_text="path under VAR_DIR")
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.ForeignKey(
        "regions.Wilayah", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    validation = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    column_mapping = models.JSONField(default=dict, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "sha256"])]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind} {self.original_name} ({self.status})"

    @property
    def path(self) -> Path:
        return Path(settings.VAR_DIR) / self.file

    @property
    def percent_done(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    @property
    def outcome(self) -> dict[str, Any]:
        return self.result or {}


class ColumnMapping(models.Model):
    """A header some source writes differently from the contract, and the contract column it means."""

    source = models.CharField(max_length=100, help_text="who sends such files, e.g. uploader and kind")
    header = models.CharField(max_length=100, help_text="the header as normalised (no case, spaces, _)")
    column = models.CharField(max_length=40, help_text="contract column, or empty to ignore")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "header"], name="one_mapping_per_source_header")]

    def __str__(self) -> str:
        return f"{self.source}: {self.header} -> {self.column}"
