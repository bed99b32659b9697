"""Writes of the reminders app: the default rules, opening a WhatsApp reminder and recording a contact's outcome."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from kepling.accounts.models import User
from kepling.core import audit
from kepling.reminders.defaults import DEFAULT_RULES
from kepling.reminders.messages import MessageTexts
from kepling.reminders.models import (
    KEPLING_WHATSAPP,
    ContactOutcome,
    MessageStatus,
    OutboxMessage,
    Outcome,
    ReminderRule,
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
