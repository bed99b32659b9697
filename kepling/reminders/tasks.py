"""Delivering queued reminders: each message is claimed before it is sent, and retried on a schedule.

Whatever runs delivery (the `deliver_reminders` command from a timer, `deliver_outbox` tasks
in the task worker, several of either at once), a message is sent by whoever claimed it: a
claim moves `next_attempt_at` past the lease, inside a transaction that locks the rows it
takes (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's write lock, taken at the
start of every transaction here, serialises claims). A failed attempt schedules the next one
with exponential backoff instead of sleeping, so delivery goes on with other messages; a
message still unsent when it expires is `failed`, visible and re-sendable by the Admin kota.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task

from kepling.reminders.backends import Delivery, ReminderBackend, get_backend
from kepling.reminders.messages import MessageTexts
from kepling.reminders.models import MessageStatus, OutboxMessage

BATCH_SIZE = 200
# Messages taken per claim: small enough that all of them are tried well within the lease
# even when the gateway answers every one at its timeout.
CLAIM_SIZE = 20
RETRY = "retry"


def lease() -> datetime.timedelta:
    """How long a claim holds its messages (then a crashed sender's messages are due again)."""
    return datetime.timedelta(seconds=int(getattr(settings, "KEPLING_REMINDER_LEASE_SECONDS", 600)))


def expiry_of(message: OutboxMessage) -> datetime.datetime:
    """When an unsent message gives up: its own `expires_at`, else N hours after it was queued (48)."""
    if message.expires_at is not None:
        return message.expires_at
    hours = int(getattr(settings, "KEPLING_REMINDER_EXPIRY_HOURS", 48))
    return message.created_at + datetime.timedelta(hours=hours)


def fresh_expiry() -> datetime.datetime:
    """The expiry of a message queued again now (the Admin kota re-sending a failed one)."""
    return timezone.now() + datetime.timedelta(hours=int(getattr(settings, "KEPLING_REMINDER_EXPIRY_HOURS", 48)))


def backoff_after(attempts: int) -> datetime.timedelta:
    """The wait before the next attempt: base x 2^(attempts-1), capped."""
    base = float(getattr(settings, "KEPLING_GATEWAY_BACKOFF_SECONDS", 60.0))
    cap = float(getattr(settings, "KEPLING_GATEWAY_BACKOFF_MAX_SECONDS", 3600.0))
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _due(rows: QuerySet[OutboxMessage], started: datetime.datetime) -> QuerySet[OutboxMessage]:
    return rows.filter(status=MessageStatus.QUEUED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=started)
    )


def claim(rows: QuerySet[OutboxMessage], started: datetime.datetime, limit: int = CLAIM_SIZE) -> list[int]:
    """Take up to `limit` due messages among `rows` for this sender; returns their ids."""
    with transaction.atomic():
        locked = _due(rows, started).select_for_update(skip_locked=True).order_by("pk")
        ids = list(locked.values_list("pk", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now() + lease())
    return ids


def _outcome(message: OutboxMessage, delivery: Delivery, now: datetime.datetime) -> tuple[str, dict[str, object]]:
    attempts = message.attempts + delivery.attempts
    changes: dict[str, object] = {"body": message.body, "to": message.to, "attempts": attempts}
    changes["last_error"] = delivery.error
    if delivery.status in {MessageStatus.SENT, MessageStatus.DELIVERED}:
        changes.update(status=delivery.status, sent_at=now, provider_reference=delivery.reference)
        if delivery.status == MessageStatus.DELIVERED:
            changes["delivered_at"] = now
        return str(delivery.status), changes
    next_at = now + backoff_after(attempts)
    if delivery.retry and next_at < expiry_of(message):
        changes.update(next_attempt_at=next_at)
        return RETRY, changes
    if delivery.retry:
        changes["last_error"] = f"expired after {attempts} attempts: {delivery.error}"
    changes.update(status=MessageStatus.FAILED, next_attempt_at=None)
    return str(MessageStatus.FAILED), changes


def _send_claimed(ids: Iterable[int], backend: ReminderBackend, texts: MessageTexts) -> Counter[str]:
    counts: Counter[str] = Counter()
    claimed = OutboxMessage.objects.filter(pk__in=list(ids), status=MessageStatus.QUEUED)
    for message in claimed.select_related("worker", "rule").order_by("pk"):
        # Composed now (the rule's current template, the worker's current number) and kept as sent.
        message.body, message.to = texts.outgoing(message)
        now = timezone.now()
        if now >= expiry_of(message):
            delivery = Delivery(MessageStatus.FAILED, attempts=0, error="expired before it could be sent")
        else:
            delivery = backend.send(message)
        result, changes = _outcome(message, delivery, timezone.now())
        # Still queued: a message the Kepling marked sent meanwhile stays as they left it.
        OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(**changes)
        counts[result] += 1
    return counts


def deliver_messages(batch_ids: list[int], backend: ReminderBackend | None = None) -> dict[str, int]:
    """Send the due, unclaimed messages among `batch_ids`; returns counts per outcome (`retry`: scheduled)."""
    return deliver_due(backend, OutboxMessage.objects.filter(pk__in=batch_ids))


def deliver_due(
    backend: ReminderBackend | None = None, rows: QuerySet[OutboxMessage] | None = None
) -> dict[str, int]:
    """Claim and send due messages until none is left; each message is tried at most once per call."""
    backend = backend or get_backend()
    counts: Counter[str] = Counter()
    if not backend.sends_itself:
        return dict(counts)
    if rows is None:
        rows = OutboxMessage.objects.filter(channel=backend.channel)
    # Only messages due when this run started: one retried now is next due after `started`.
    started = timezone.now()
    texts = MessageTexts()
    while ids := claim(rows, started):
        counts.update(_send_claimed(ids, backend, texts))
    return dict(counts)


@task()
def deliver_outbox(batch_ids: list[int]) -> dict[str, int]:
    """Deliver one batch of outbox messages with the configured backend."""
    return deliver_messages(batch_ids)


def pending_batches(batch_size: int = BATCH_SIZE, channel: str | None = None) -> list[list[int]]:
    """The ids of queued messages, in batches."""
    rows = OutboxMessage.objects.filter(status=MessageStatus.QUEUED)
    if channel is not None:
        rows = rows.filter(channel=channel)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


def enqueue_delivery(batch_size: int = BATCH_SIZE) -> int:
    """Enqueue one delivery task per batch of queued messages; returns the number of tasks."""
    backend = get_backend()
    if not backend.sends_itself:
        return 0
    batches = pending_batches(batch_size, backend.channel)
    for batch in batches:
        deliver_outbox.enqueue(batch)
    return len(batches)
