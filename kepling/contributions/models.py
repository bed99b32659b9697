"""Tariffs as dated data, the append-only payment ledger, per-month coverage and stored summaries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Component(models.TextChoices):
    JKK = "JKK", _("Work accident (JKK)")
    JKM = "JKM", _("Death (JKM)")
    JHT = "JHT", _("Old-age savings (JHT)")


class ContributionRate(models.Model):
    """A component's rate from a date: a share of declared income and/or a flat amount."""

    component = models.CharField(max_length=3, choices=Component.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    basis_points_of_income = models.PositiveIntegerField(default=0, help_text="100 = 1%")
    flat_amount = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["component", "valid_from"]

    def __str__(self) -> str:
        return f"{self.component} {self.valid_from}"


class ContributionDiscount(models.Model):
    """A dated reduction (PP 50/2025 halving of JKK+JKM), per sector, excluding some payer types."""

    name = models.CharField(max_length=120)
    components = models.CharField(max_length=20, help_text="comma separated, e.g. JKK,JKM")
    sektor = models.CharField(max_length=20, blank=True, help_text="blank = every sector")
    valid_from = models.DateField()
    valid_to = models.DateField()
    percent_off = models.PositiveSmallIntegerField()
    excluded_payers = models.CharField(max_length=60, blank=True, help_text="comma separated")

    class Meta:
        ordering = ["valid_from", "sektor"]

    def __str__(self) -> str:
        return self.name


class IncomeBand(models.Model):
    """Declared-income bands: incomes from `lower` up to `upper` are charged on `basis`.

    Only the first and last rows of the regulation's table are known; the rest is data.
    """

    lower = models.PositiveIntegerField()
    upper = models.PositiveIntegerField()
    basis = models.PositiveIntegerField(null=True, blank=True, help_text="blank = the income itself")
    valid_from = models.DateField()

    class Meta:
        ordering = ["valid_from", "lower"]

    def __str__(self) -> str:
        return f"{self.lower}-{self.upper}"


class Payment(models.Model):
    """One row of the ledger. Never updated: a correction is a reversal row with a negative amount.

    An extract adds a million rows at a time, so the ledger carries only the indexes its reads
    use: the worker's months, the reference (unique), the NIKs of payments no worker matches
    yet (reconciliation), and reversals (only the rows that are one).
    """

    # The keys of a ledger row are resolved in the statement that writes it (the worker by NIK
    # hash in the same INSERT ... SELECT, a reversal from the row it reverses), and Django applies
    # on_delete=PROTECT; per-row checks by the database would cost more than the rest of a
    # million-row import.
    worker = models.ForeignKey(
        "workers.Worker",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,  # (worker, periode) below serves every look-up by worker
        db_constraint=False,
    )
    nik_hash = models.CharField(max_length=64)
    nik_encrypted = models.TextField(blank=True)
    nik_masked = models.CharField(max_length=16, blank=True)
    kpj = models.CharField(max_length=11, blank=True)
    periode = models.DateField(_("month paid for"))
    jumlah = models.IntegerField(_("amount"))
    tanggal_bayar = models.DateField(_("payment date"))
    referensi = models.CharField(_("payment reference"), max_length=80)
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
        db_index=False,
        db_constraint=False,
    )
    # Copies of the worker's kelurahan and of the importing user, written with the row.
    kelurahan = models.ForeignKey(
        "regions.Wilayah",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    import_batch = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["periode", "tanggal_bayar", "id"]
        constraints = [
            # A constraint, not `unique=True`: no second, pattern-matching index on PostgreSQL.
            models.UniqueConstraint(fields=["referensi"], name="payment_reference_once"),
            models.UniqueConstraint(
                fields=["reverses"], name="payment_reversed_once", condition=models.Q(reverses__isnull=False)
            ),
        ]
        indexes = [
            models.Index(fields=["worker", "periode"]),
            models.Index(fields=["nik_hash"], name="payment_unmatched_nik", condition=models.Q(worker__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.referensi} {self.periode:%Y-%m} {self.jumlah}"


class WorkerMonth(models.Model):
    """Derived from the ledger: what was due and paid for one worker and month, and when it was covered.

    `paid_from`/`paid_until` bound the days on which payments received cover the amount due
    (a reversal can end coverage; a later top-up restores it as a new row).
    """

    # Derived data, rebuilt from the ledger set-based: the keys come from the ledger and the
    # registry in the same statement, so the database does not check them row by row (Django still
    # applies on_delete); (worker, paid_from) and (kelurahan, periode) below serve the look-ups.
    worker = models.ForeignKey(
        "workers.Worker", on_delete=models.CASCADE, related_name="months", db_index=False, db_constraint=False
    )
    periode = models.DateField()
    periode_index = models.IntegerField()
    amount_due = models.PositiveIntegerField()
    amount_paid = models.IntegerField()
    paid_from = models.DateField(null=True, blank=True)
    paid_until = models.DateField(null=True, blank=True)
    kelurahan = models.ForeignKey(
        "regions.Wilayah", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        ordering = ["worker", "periode", "paid_from"]
        indexes = [
            models.Index(fields=["worker", "paid_from"]),
            models.Index(fields=["kelurahan", "periode"]),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.periode:%Y-%m}"


class StatusCounts(models.Model):
    """The seven status figures as stored columns, named as `kepling.contributions.figures` declares them."""

    registered = models.PositiveIntegerField(default=0)
    protected = models.PositiveIntegerField(default=0)
    paid_one_month_only = models.PositiveIntegerField(default=0)
    never_paid = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    in_arrears = models.PositiveIntegerField(default=0)
    inactive = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class LingkunganSummary(StatusCounts):
    """Program figures of one lingkungan as of one date; every higher level sums these rows."""

    lingkungan = models.ForeignKey("regions.Wilayah", on_delete=models.CASCADE, related_name="+")
    kelurahan = models.ForeignKey("regions.Wilayah", on_delete=models.CASCADE, related_name="+")
    kecamatan = models.ForeignKey("regions.Wilayah", on_delete=models.CASCADE, related_name="+")
    kota = models.ForeignKey("regions.Wilayah", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    target = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lingkungan", "as_of"], name="summary_once_per_day"),
        ]
        indexes = [
            models.Index(fields=["as_of", "kecamatan"]),
            models.Index(fields=["as_of", "kelurahan"]),
            models.Index(fields=["as_of", "kota"]),
        ]

    def __str__(self) -> str:
        return f"{self.lingkungan_id} {self.as_of}"


class SummaryDate(models.Model):
    """Which dates have a complete set of summary rows (a date is computed for all lingkungan at once)."""

    as_of = models.DateField(unique=True)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.as_of)


class HeldProblem(models.TextChoices):
    DIFFERENT_PAYMENT = "different_payment", _("Its NIK, month or amount differ from the payment's")
    ALREADY_CANCELLED = "already_cancelled", _("The payment was already cancelled")


class HeldCancellation(models.Model):
    """A BPJS cancellation (`jenis` = `batal`) whose payment is not in the ledger yet.

    Extracts arrive in any order, so a cancellation may come before the payment it cancels. It
    is kept here, never in the ledger, and applied through the ledger's reversal in the same
    transaction as that payment (`kepling.contributions.held`). Until then the reconciliation
    queue lists it as waiting for its payment.
    """

    referensi = models.CharField(_("cancellation reference"), max_length=80, unique=True)
    referensi_asal = models.CharField(_("reference of the payment cancelled"), max_length=80, db_index=True)
    nik_hash = models.CharField(max_length=64)
    nik_encrypted = models.TextField()
    nik_masked = models.CharField(max_length=16)
    kpj = models.CharField(max_length=11, blank=True)
    periode = models.DateField(_("month paid for"))
    jumlah = models.PositiveIntegerField(_("amount"))
    tanggal_bayar = models.DateField(_("cancellation date"))
    # Empty while it waits for its payment; else why it cannot cancel the payment that arrived.
    problem = models.CharField(max_length=20, choices=HeldProblem.choices, blank=True)
    source = models.CharField(max_length=200, blank=True)
    import_batch = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.referensi} -> {self.referensi_asal}"
