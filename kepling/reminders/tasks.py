"""Delivering queued reminders through the Django Tasks API, in batches (idempotent: only queued rows)."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone
from django_tasks import task

from kepling.reminders.backends import ReminderBackend, get_backend
from kepling.reminders.messages import MessageTexts
from kepling.reminders.models import MessageStatus, OutboxMessage

BATCH_SIZE = 200


def deliver_messages(batch_ids: list[int], backend: ReminderBackend | None = None) -> dict[str, int]:
    """Send the still-queued messages among `batch_ids`; returns counts per resulting status."""
    backend = backend or get_backend()
    counts: Counter[str] = Counter()
    if not backend.sends_itself:
        return dict(counts)
    pending = (
        OutboxMessage.objects.filter(pk__in=batch_ids, status=MessageStatus.QUEUED)
        .select_related("worker", "rule")
        .order_by("pk")
    )
    texts = MessageTexts()
    for message in pending:
        # Composed now (the rule's current template, the worker's current number) and kept as sent.
        message.body, message.to = texts.outgoing(message)
        delivery = backend.send(message)
        now = timezone.now()
        changes: dict[str, object] = {
            "body": message.body,
            "to": message.to,
            "status": delivery.status,
            "attempts": message.attempts + delivery.attempts,
            "last_error": delivery.error,
        }
        if delivery.status in {MessageStatus.SENT, MessageStatus.DELIVERED}:
            changes["sent_at"] = now
            changes["provider_reference"] = delivery.reference
        if delivery.status == MessageStatus.DELIVERED:
            changes["delivered_at"] = now
        # Conditional on still being queued: a concurrent worker that got there first wins.
        OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(**changes)
        counts[str(delivery.status)] += 1
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
