"""Reminder rules, the outbox of reminder messages and the outcomes of Kepling contacts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Before the due date of an unpaid month")
    ARREARS = "arrears", _("Months in arrears reached")


class ReminderRule(models.Model):
    """When a reminder is due, relative to a month's due date, and the message it sends.

    A rule fires `days_from_due` days from a month's due date (negative = before) and stays due
    until the next month's turn (`before_due` rules until the due date), so a missed daily run is
    caught up. `before_due` rules pick workers whose month is unpaid; `arrears` rules pick workers
    whose arrears are exactly `arrears_months` (4 = inactive: the invitation to reactivate).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    days_from_due = models.SmallIntegerField(
        _("days from the due date"), help_text=_("Negative: before the due date; 1: the day after.")
    )
    arrears_months = models.PositiveSmallIntegerField(
        _("months in arrears"), default=0, help_text=_("For arrears rules: the arrears count that triggers it.")
    )
    template = models.TextField(
        _("message template"),
        help_text=_("Placeholders: {nama}, {bulan}, {jumlah}, {jatuh_tempo}, {cara_bayar}, {kepling}."),
    )
    escalates = models.BooleanField(
        _("escalates when unpaid"),
        default=False,
        help_text=_("Workers still unpaid after this reminder go to the Lurah, then the Camat."),
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")

    def __str__(self) -> str:
        return self.name


class PaymentChannel(models.Model):
    """Where a worker can pay (the JMO app, banks, retail outlets), named in every reminder.

    Kept as data the city administrator edits: the channels BPJS accepts change over time.
    """

    nama = models.CharField(_("name, as written in the message"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("payment channel")
        verbose_name_plural = _("payment channels")

    def __str__(self) -> str:
        return self.nama


# The default channel: the Kepling sends each message from their own WhatsApp.
KEPLING_WHATSAPP = "whatsapp_kepling"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DELIVERED = "delivered", _("Delivered")


class OutboxMessage(models.Model):
    """One reminder for one worker, month and rule: never more, however often queueing runs.

    A queued row holds what the message says (rule, month, amount due), not its text: the text
    is composed from the rule's template when the message is shown or sent, and the text sent is
    kept in `body` from then on, with the number it went to in `to` (the worker's number then).
    A day's queueing writes hundreds of thousands of rows, so they stay narrow.
    """

    # The rows are written set-based from the workers, rules and regions read in the same
    # statement, so their keys are valid by construction; database-level foreign-key checks would
    # double the cost of a day's queueing (each one locks the referenced row). Deleting a worker
    # through Django still deletes their messages (on_delete is applied by Django).
    worker = models.ForeignKey(
        "workers.Worker", on_delete=models.CASCADE, related_name="reminders", db_index=False, db_constraint=False
    )
    rule = models.ForeignKey(
        ReminderRule, on_delete=models.PROTECT, related_name="messages", db_index=False, db_constraint=False
    )
    periode = models.DateField(_("month"))
    jumlah = models.PositiveIntegerField(_("amount due"), default=0)
    channel = models.CharField(_("channel"), max_length=40)
    to = models.CharField(_("to"), max_length=20, blank=True)
    body = models.TextField(_("message sent"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    queued_on = models.DateField(_("queued on"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    # A backend's delivery claims a queued message by moving this forward (a lease), and a
    # failed attempt schedules the next one here: no delivery sends a message another holds.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # Past this, a message that could not be sent is failed (default: 48 hours after it was queued).
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Region keys: where the message belongs when the worker later moves.
    kelurahan = models.ForeignKey(
        "regions.Wilayah", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    lingkungan = models.ForeignKey(
        "regions.Wilayah", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-queued_on", "id"]
        verbose_name = _("reminder message")
        verbose_name_plural = _("reminder messages")
        constraints = [
            # Worker first, so this one index also finds a worker's reminders (their page, the
            # follow-up list): a day's queueing writes each row into two indexes, not three.
            models.UniqueConstraint(fields=["worker", "periode", "rule"], name="one_reminder_per_month_rule_worker"),
        ]
        indexes = [
            # Only messages a backend sends itself wait for delivery; the Kepling's own WhatsApp
            # messages (the default channel, most rows) are sent from the follow-up list.
            models.Index(
                fields=["id"],
                name="outbox_awaiting_delivery",
                condition=models.Q(status=MessageStatus.QUEUED) & ~models.Q(channel=KEPLING_WHATSAPP),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.rule_id} {self.periode:%Y-%m} ({self.status})"


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    PROMISED = "promised", _("Promised to pay")
    PAID = "paid", _("Says they paid")
    REFUSED = "refused", _("Refused")
    UNREACHABLE = "unreachable", _("Unreachable")


class ContactOutcome(models.Model):
    """What came of a Kepling's contact with a worker about paying."""

    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="contact_outcomes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # A promise to pay by a date: the worker leaves the follow-up list until then, and comes
    # back on that date if still unpaid.
    promised_on = models.DateField(_("promised to pay by"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # On PostgreSQL the outbox is partitioned by month, and a partitioned table's unique keys
    # must include the month, so the database cannot check a key on the message id alone;
    # Django applies SET_NULL and `kepling check_keys` finds any outcome whose message is gone.
    message = models.ForeignKey(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outcomes",
        db_constraint=False,
    )
    kelurahan = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact outcome")
        verbose_name_plural = _("contact outcomes")
        indexes = [models.Index(fields=["worker", "at"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.outcome} {self.at:%Y-%m-%d}"
