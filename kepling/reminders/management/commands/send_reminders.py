"""`kepling send_reminders [--as-of YYYY-MM-DD] [--dry-run] [--json]`: queue the reminders due on a date."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kepling.reminders.actions import record_reminders_run
from kepling.reminders.backends import get_backend
from kepling.reminders.queueing import queue_reminders
from kepling.reminders.tasks import enqueue_delivery


class Command(BaseCommand):
    help = "Queue the reminders due on a date (at most one per worker, rule and month)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be queued, write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(f"--as-of must be written YYYY-MM-DD, not '{options['as_of']}'.") from None
        backend = get_backend()
        result = queue_reminders(as_of=as_of, channel=backend.channel, dry_run=options["dry_run"])
        tasks = 0 if options["dry_run"] or not result.queued else enqueue_delivery()
        if not options["dry_run"]:
            record_reminders_run(
                as_of=as_of, channel=backend.channel, queued=result.queued, already_queued=result.already_queued
            )
        if options["json"]:
            self.stdout.write(json.dumps({**result.as_dict(), "delivery_tasks": tasks}))
            return
        prefix = "Dry run: " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}reminders for {as_of.isoformat()} via {backend.channel}")
        for run in result.rules:
            self.stdout.write(
                f"  {run.rule} ({run.periode:%Y-%m}): queued {run.queued}, already_queued {run.already_queued}"
            )
        self.stdout.write(f"queued {result.queued}")
        self.stdout.write(f"already_queued {result.already_queued}")
        if tasks:
            self.stdout.write(f"delivery tasks enqueued {tasks}")
