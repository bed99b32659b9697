"""`kepling deliver_reminders [--enqueue] [--json]`: deliver the reminders due now (run it every few minutes)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kepling.reminders.backends import get_backend
from kepling.reminders.models import MessageStatus, OutboxMessage
from kepling.reminders.tasks import BATCH_SIZE, deliver_due, enqueue_delivery


class Command(BaseCommand):
    help = (
        "Deliver the queued reminders that are due (new ones and scheduled retries) with the configured "
        "backend, or enqueue tasks for the db_worker. Safe to run while other deliveries run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="enqueue delivery tasks instead of sending now")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = get_backend()
        result: dict[str, Any] = {"channel": backend.channel}
        if not backend.sends_itself:
            waiting = OutboxMessage.objects.filter(status=MessageStatus.QUEUED, channel=backend.channel)
            result["waiting_for_kepling"] = waiting.count()
        elif options["enqueue"]:
            result["tasks"] = enqueue_delivery(options["batch_size"])
        else:
            result.update(deliver_due(backend))
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(" ".join(f"{k} {v}" for k, v in result.items()))
