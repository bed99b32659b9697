"""BPJS participant extracts and the queues of mismatches between BPJS and the city's registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipantStatus(models.TextChoices):
    ACTIVE = "aktif", _("Active")
    INACTIVE = "nonaktif", _("Inactive")


class BpjsParticipant(models.Model):
    """One participant (NIK and KPJ) as a BPJS extract reports it on a date."""

    nik_hash = models.CharField(max_length=64, db_index=True)
    nik_encrypted = models.TextField()
    nik_masked = models.CharField(max_length=16)
    kpj = models.CharField(max_length=11, db_index=True)
    nama = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=ParticipantStatus.choices)
    per_tanggal = models.DateField()
    import_batch = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["nik_hash", "kpj"]
        constraints = [models.UniqueConstraint(fields=["nik_hash", "kpj"], name="participant_once_per_nik_kpj")]

    def __str__(self) -> str:
        return f"{self.nik_masked} {self.kpj} {self.status}"


class ItemKind(models.TextChoices):
    UNMATCHED_PAYMENT = "unmatched_payment", _("Payment for a person not in the registry")
    UNKNOWN_TO_BPJS = "unknown_to_bpjs", _("Protected worker BPJS does not know")
    UNDERPAID_MONTH = "underpaid_month", _("Underpaid month")
    STATUS_MISMATCH = "status_mismatch", _("Status disagreement")
    KPJ_CONFLICT = "kpj_conflict", _("KPJ conflict")
    LATE_PAYMENT = "late_payment", _("Payment more than 3 months late")
    HELD_CANCELLATION = "held_cancellation", _("Cancellation waiting for its payment")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class ReconciliationItem(models.Model):
    """One mismatch to look at. `key` names the finding, so rebuilding the queue never repeats it."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ItemKind.choices, db_index=True)
    worker = models.ForeignKey(
        "workers.Worker", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        "contributions.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    resolution = models.CharField(max_length=20, blank=True, help_text="linked, corrected, dismissed, gone")
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Kept on every item so scoping is one equality filter (and a shard key on PostgreSQL).
    kelurahan = models.ForeignKey("regions.Wilayah", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kecamatan = models.ForeignKey("regions.Wilayah", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kota = models.ForeignKey("regions.Wilayah", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["kelurahan", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"
