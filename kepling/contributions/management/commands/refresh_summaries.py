"""`kepling refresh_summaries`: the nightly job that brings stored summaries up to date."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kepling.contributions.summaries import refresh_summaries


class Command(BaseCommand):
    help = "Recompute stale summaries, and compute today's (or the given date's) and the dates pages open on."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or timezone.localdate()
        # The dates pages open on are computed ahead; a second run at the same time waits, then finds nothing to do.
        done = refresh_summaries([as_of], pickable=True)
        self.stdout.write(f"stale lingkungan refreshed: {done['stale']}; dates computed: {done['computed']}")
