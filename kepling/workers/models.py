"""The registry of workers, with consent, credit and the review queues (conflicts, duplicates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class Sector(models.TextChoices):
    TRANSPORT = "transportasi", _("Transport")
    OTHER = "lainnya", _("Other")


class Program(models.TextChoices):
    BASIC = "JKK-JKM", "JKK + JKM"
    WITH_JHT = "JKK-JKM-JHT", "JKK + JKM + JHT"


class Payer(models.TextChoices):
    SELF = "mandiri", _("Self")
    DONOR = "donatur", _("Donor")
    CSR = "csr", _("Company CSR")
    APBD = "apbd", _("City/provincial budget (APBD)")
    APBN = "apbn", _("State budget (APBN)")


class Worker(models.Model):
    """One informal worker, one NIK, city-wide. The NIK is stored encrypted, found by keyed hash."""

    nik_hash = models.CharField(max_length=64, unique=True)
    nik_encrypted = models.TextField()
    nik_masked = models.CharField(_("NIK"), max_length=16)
    kpj = models.CharField(_("KPJ"), max_length=11, blank=True, db_index=True)
    nama = models.CharField(_("name"), max_length=150)
    name_key = models.CharField(max_length=150, db_index=True)
    jenis_kelamin = models.CharField(_("sex"), max_length=1, choices=Gender.choices)
    tanggal_lahir = models.DateField(_("date of birth"))
    no_hp = models.CharField(_("phone"), max_length=20, blank=True)
    pekerjaan = models.CharField(_("occupation"), max_length=100)
    sektor = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    penghasilan = models.PositiveIntegerField(_("declared monthly income"))
    program = models.CharField(_("program"), max_length=20, choices=Program.choices)
    sumber_iuran = models.CharField(_("contribution payer"), max_length=10, choices=Payer.choices)
    tanggal_daftar = models.DateField(_("registration date"), db_index=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    lingkungan = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="workers")
    # Ancestors of the lingkungan, denormalised for scoping and roll-ups (and as the shard key).
    kelurahan = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")
    kecamatan = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")
    kota = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")

    credited_kepling = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credited_workers",
        verbose_name=_("credited Kepling"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_at = models.DateTimeField(_("consent given at"))
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_version = models.CharField(_("consent text version"), max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["nama", "id"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [
            models.Index(fields=["lingkungan", "tanggal_daftar"]),
            models.Index(fields=["kelurahan", "tanggal_daftar"]),
            models.Index(fields=["kecamatan", "tanggal_daftar"]),
            models.Index(fields=["name_key", "tanggal_lahir"]),
            # The workers list pages through an area in its one order (name, id), from a row on.
            models.Index(fields=["kota", "nama", "id"], name="worker_list_kota"),
            models.Index(fields=["kecamatan", "nama", "id"], name="worker_list_kecamatan"),
            models.Index(fields=["kelurahan", "nama", "id"], name="worker_list_kelurahan"),
            models.Index(fields=["lingkungan", "nama", "id"], name="worker_list_lingkungan"),
            # The few withdrawn workers, found without reading the whole register (with the index
            # on tanggal_daftar: who is off the register on a day, for a re-run of the reminders).
            models.Index(
                fields=["withdrawn_on"], condition=models.Q(withdrawn_on__isnull=False), name="worker_withdrawn_on"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nama} ({self.nik_masked})"


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Credit kept")
    TRANSFERRED = "transferred", _("Credit transferred")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
    DUPLICATE = "duplicate", _("Confirmed duplicate")


class AttributionConflict(models.Model):
    """A second Kepling entered a NIK already registered; the first keeps credit until decided."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="attribution_conflicts")
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimant_lingkungan = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")
    kelurahan = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")
    claimed_on = models.DateField()
    submitted = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "claimant_lingkungan"],
                condition=models.Q(status="open"),
                name="one_open_conflict_per_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} claimed from {self.claimant_lingkungan_id} ({self.status})"


class LikelyDuplicate(models.Model):
    """Two workers with the same name and birth date under different NIKs."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    other = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    kelurahan = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["worker", "other"], name="duplicate_pair_once")]

    def __str__(self) -> str:
        return f"{self.worker_id} ~ {self.other_id} ({self.status})"


class SubmissionKey(models.Model):
    """The one-time key of a registration form, so a resend after a dropped connection registers once."""

    key = models.CharField(max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["by", "key"], name="one_registration_per_form_key")]

    def __str__(self) -> str:
        return f"{self.key} -> {self.worker_id}"
