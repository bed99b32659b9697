"""`kepling reconcile [--as-of DATE]`: rebuild the open mismatch queues (idempotent)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from kepling.core.importing import acting_user
from kepling.core.progress import Progress
from kepling.dashboards.queries import default_as_of
from kepling.reconciliation.matching import rebuild_queue
from kepling.reconciliation.models import ItemStatus, ReconciliationItem


class Command(BaseCommand):
    help = "Match the registry against the BPJS extracts and rebuild the open mismatch queues."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: the date of the latest BPJS payment)")
        parser.add_argument("--by", help="username the rebuild is recorded against")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = datetime.date.fromisoformat(options["as_of"]) if options["as_of"] else default_as_of()
        except ValueError:
            raise CommandError(f"--as-of must be a date written YYYY-MM-DD, not '{options['as_of']}'.") from None
        progress = Progress(self.stderr)
        progress.step(f"matching the registry with the BPJS extracts as of {as_of.isoformat()}")
        counts = rebuild_queue(as_of, by=acting_user(options.get("by")))
        progress.step("done")
        per_kind = dict(
            ReconciliationItem.objects.filter(status=ItemStatus.OPEN)
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by()
        )
        if options["json"]:
            self.stdout.write(json.dumps({"as_of": as_of.isoformat(), **counts, "open_by_kind": per_kind}))
            return
        self.stdout.write(
            f"as of {as_of.isoformat()}: created {counts['created']}, updated {counts['updated']}, "
            f"closed {counts['closed']}, open {counts['open']}"
        )
        for kind, number in sorted(per_kind.items()):
            self.stdout.write(f"  {kind}: {number}")
