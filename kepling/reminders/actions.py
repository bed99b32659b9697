"""Writes of the reminders app: default rules, WhatsApp reminders, contact outcomes, rules and channels."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kepling.accounts.models import User
from kepling.core import audit
from kepling.core.errors import DomainError
from kepling.reminders.defaults import DEFAULT_RULES
from kepling.reminders.messages import (
    CONSTANT_PLACEHOLDERS,
    MESSAGE_MAX_CHARS,
    WORKER_PLACEHOLDERS,
    MessageTexts,
    compose,
)
from kepling.reminders.models import (
    KEPLING_WHATSAPP,
    ContactOutcome,
    MessageStatus,
    OutboxMessage,
    Outcome,
    PaymentChannel,
    ReminderRule,
    RuleKind,
)
from kepling.reminders.tasks import fresh_expiry
from kepling.workers.models import Worker


@transaction.atomic
def ensure_default_rules() -> int:
    """Store the program's default reminder rules when the table is empty (a wiped database); how many were stored."""
    if ReminderRule.objects.exists():
        return 0
    for values in DEFAULT_RULES:
        ReminderRule(**values).save()
    return len(DEFAULT_RULES)


def latest_message(worker: Worker) -> OutboxMessage | None:
    """The worker's most recent reminder, if any."""
    return OutboxMessage.objects.filter(worker=worker).select_related("rule").order_by("-queued_on", "-id").first()


def _mark_sent(message: OutboxMessage, by: User) -> bool:
    """Mark a queued message sent by the Kepling, keeping the text and number it went to; True when it changed."""
    if message.status != MessageStatus.QUEUED:
        return False
    now = timezone.now()
    body, to = MessageTexts().outgoing(message)
    changed = OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENT, sent_at=now, attempts=message.attempts + 1, body=body, to=to
    )
    if changed:
        message.status, message.sent_at, message.attempts = MessageStatus.SENT, now, message.attempts + 1
        message.body, message.to = body, to
        audit.record(
            actor=by,
            action="reminder_sent_by_kepling",
            object_type="reminder",
            object_id=message.pk,
            new={"worker": message.worker_id, "channel": message.channel},
        )
    return bool(changed)


@transaction.atomic
def open_whatsapp(*, by: User, worker: Worker) -> OutboxMessage | None:
    """The Kepling opens WhatsApp for a worker: their queued reminder counts as sent."""
    message = (
        OutboxMessage.objects.select_for_update(of=("self",))
        .select_related("rule")
        .filter(worker=worker, status=MessageStatus.QUEUED)
        .order_by("-queued_on", "-id")
        .first()
    )
    if message is not None:
        message.worker = worker
        _mark_sent(message, by)
    else:
        audit.record(actor=by, action="reminder_composed_by_kepling", object_type="worker", object_id=worker.pk)
    return message


@transaction.atomic
def record_contact_outcome(
    *, by: User, worker: Worker, outcome: Outcome | str, note: str = "", promised_on: datetime.date | None = None
) -> ContactOutcome:
    """Record what came of contacting a worker; a queued reminder for them counts as sent."""
    outcome = Outcome(outcome)
    if outcome != Outcome.PROMISED:
        promised_on = None
    message = latest_message(worker)
    if message is not None:
        message.worker = worker
        _mark_sent(message, by)
    row = ContactOutcome.objects.create(
        worker=worker,
        by=by,
        outcome=outcome,
        note=note.strip(),
        promised_on=promised_on,
        message=message,
        kelurahan_id=worker.kelurahan_id,
    )
    audit.record(
        actor=by,
        action="contact_outcome_recorded",
        object_type="worker",
        object_id=worker.pk,
        new={
            "outcome": outcome.value,
            "message": message.pk if message else None,
            "contact": row.pk,
            "promised_on": promised_on,
        },
        note=row.note,
    )
    return row


@transaction.atomic
def resend_failed(*, by: User, message_ids: list[int]) -> int:
    """Queue failed gateway messages again, due now, with a fresh expiry; returns how many were requeued."""
    rows = OutboxMessage.objects.filter(pk__in=message_ids, status=MessageStatus.FAILED).exclude(
        channel=KEPLING_WHATSAPP
    )
    ids = list(rows.select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=MessageStatus.QUEUED, next_attempt_at=None, expires_at=fresh_expiry()
    )
    # One row per request: a whole day's failures may be re-sent at once.
    audit.record(
        actor=by,
        action="reminders_resent",
        object_type="reminder",
        object_id=ids[0] if len(ids) == 1 else "",
        new={"messages": len(ids), "ids": ids},
    )
    return len(ids)


@transaction.atomic
def record_reminders_run(*, as_of: datetime.date, channel: str, queued: int, already_queued: int) -> None:
    """Note a day's queueing run (also when it queued nothing): /healthz reports the last one's age."""
    audit.record(
        actor=None,
        action="reminders_queued",
        object_type="reminder_run",
        object_id=as_of.isoformat(),
        new={"channel": channel, "queued": queued, "already_queued": already_queued},
    )


# Reminder rules and payment channels, kept by the city administrator -----------------------------


class ReminderSettingsError(DomainError):
    """A reminder rule or payment channel the rules refuse; the message says which field and why."""


PLACEHOLDER = re.compile(r"\{[^{}]*\}")
KNOWN_PLACEHOLDERS = frozenset(CONSTANT_PLACEHOLDERS + WORKER_PLACEHOLDERS)
# A month's turn: a rule fires within the four weeks around a due date, so its month is never ambiguous.
DAYS_FROM_DUE = range(-27, 28)
ARREARS_MONTHS = range(1, 5)  # 4 = inactive: the invitation to reactivate
# Long values a message carries (a 57-character worker name, a 40-character Kepling name), to keep
# every message under MESSAGE_MAX_CHARS.
LONG_WORKER_NAME, LONG_KEPLING_NAME = "N" * 57, "K" * 40


@dataclass(frozen=True)
class RuleSettings:
    """What the city edits of a rule: its name, wording and timing, and whether it is on."""

    name: str
    template: str
    days_from_due: int
    arrears_months: int
    escalates: bool
    active: bool


def _check_template(template: str) -> None:
    unknown = sorted({p for p in PLACEHOLDER.findall(template) if p not in KNOWN_PLACEHOLDERS})
    if unknown:
        raise ReminderSettingsError(
            gettext("The message uses %(unknown)s, which is not a placeholder. Use only %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(CONSTANT_PLACEHOLDERS + WORKER_PLACEHOLDERS)}
        )
    if "{nama}" not in template:
        raise ReminderSettingsError(gettext("The message must greet the worker by name: put {nama} in it."))
    longest = compose(
        template, month=datetime.date(2025, 9, 1), nama=LONG_WORKER_NAME, jumlah=207_000, kepling=LONG_KEPLING_NAME,
        nomor="NIK 1271********0001",
    )
    if len(longest) > MESSAGE_MAX_CHARS:
        raise ReminderSettingsError(
            gettext(
                "With a long name the message has %(length)d characters; keep it under %(max)d so it fits "
                "one phone screen."
            )
            % {"length": len(longest), "max": MESSAGE_MAX_CHARS}
        )


def _check_rule(rule: ReminderRule, settings: RuleSettings) -> RuleSettings:
    name = " ".join(settings.name.split())
    if not name:
        raise ReminderSettingsError(gettext("Give the rule a name."))
    if len(name) > ReminderRule._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ReminderSettingsError(gettext("The name is too long."))
    if settings.days_from_due not in DAYS_FROM_DUE:
        raise ReminderSettingsError(gettext("Days from the due date must lie between -27 and 27."))
    arrears = settings.arrears_months
    if rule.kind == RuleKind.BEFORE_DUE:
        if settings.days_from_due > 0:
            raise ReminderSettingsError(
                gettext("A reminder before the due date fires on or before it: give 0 or a negative number of days.")
            )
        arrears = 0
    elif arrears not in ARREARS_MONTHS:
        raise ReminderSettingsError(gettext("Months in arrears must be 1, 2, 3 or 4 (4: no longer active)."))
    template = settings.template.strip()
    _check_template(template)
    return RuleSettings(name, template, settings.days_from_due, arrears, settings.escalates, settings.active)


RULE_FIELDS = ("name", "template", "days_from_due", "arrears_months", "escalates", "active")


@transaction.atomic
def update_reminder_rule(*, by: User, rule: ReminderRule, settings: RuleSettings) -> bool:
    """Change a rule's wording, timing or switch; messages not sent yet take the new wording."""
    checked = _check_rule(rule, settings)
    locked = ReminderRule.objects.select_for_update().get(pk=rule.pk)
    before = {f: getattr(locked, f) for f in RULE_FIELDS}
    old, new = audit.changed_fields(before, {f: getattr(checked, f) for f in RULE_FIELDS})
    if not new:
        return False
    for field, value in new.items():
        setattr(locked, field, value)
        setattr(rule, field, value)
    locked.save(update_fields=list(new))
    audit.record(
        actor=by, action="reminder_rule_changed", object_type="reminder_rule", object_id=rule.pk, old=old, new=new
    )
    return True


@transaction.atomic
def set_reminder_rule_active(*, by: User, rule: ReminderRule, active: bool) -> bool:
    """Switch a rule on or off (off: no new messages from it; queued ones stay)."""
    locked = ReminderRule.objects.select_for_update().get(pk=rule.pk)
    if locked.active == active:
        return False
    locked.active = rule.active = active
    locked.save(update_fields=["active"])
    audit.record(
        actor=by, action="reminder_rule_changed", object_type="reminder_rule", object_id=rule.pk,
        old={"active": not active}, new={"active": active},
    )
    return True


CHANNEL_FIELDS = ("nama", "position", "active")


def _check_channel_name(nama: str, *, exclude: PaymentChannel | None = None) -> str:
    nama = " ".join(nama.split())
    if not nama or not any(ch.isalnum() for ch in nama):
        raise ReminderSettingsError(gettext("Write the channel's name as a message says it, e.g. aplikasi JMO."))
    if len(nama) > PaymentChannel._meta.get_field("nama").max_length:  # type: ignore[operator]
        raise ReminderSettingsError(gettext("The name is too long."))
    same = PaymentChannel.objects.filter(nama__iexact=nama)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ReminderSettingsError(gettext("A payment channel with that name already exists."))
    return nama


@transaction.atomic
def add_payment_channel(*, by: User, nama: str, position: int = 0) -> PaymentChannel:
    """Add a payment channel; every reminder from now on names it."""
    channel = PaymentChannel.objects.create(nama=_check_channel_name(nama), position=max(position, 0), active=True)
    audit.record(
        actor=by, action="payment_channel_added", object_type="payment_channel", object_id=channel.pk,
        new={"nama": channel.nama, "position": channel.position, "active": True},
    )
    return channel


@transaction.atomic
def update_payment_channel(*, by: User, channel: PaymentChannel, nama: str, position: int, active: bool) -> bool:
    """Rename, reorder, deactivate or reactivate a channel; returns whether anything changed."""
    after = {"nama": _check_channel_name(nama, exclude=channel), "position": max(position, 0), "active": active}
    locked = PaymentChannel.objects.select_for_update().get(pk=channel.pk)
    old, new = audit.changed_fields({f: getattr(locked, f) for f in CHANNEL_FIELDS}, after)
    if not new:
        return False
    for field, value in new.items():
        setattr(locked, field, value)
        setattr(channel, field, value)
    locked.save(update_fields=list(new))
    audit.record(
        actor=by, action="payment_channel_changed", object_type="payment_channel", object_id=channel.pk,
        old=old, new=new,
    )
    return True
