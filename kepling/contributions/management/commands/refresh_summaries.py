"""`kepling refresh_summaries`: the nightly job that brings stored summaries up to date."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kepling.contributions.summaries import compute_date, refresh_stale


class Command(BaseCommand):
    help = "Recompute stale lingkungan summaries and today's (or the given date's) figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        stale = refresh_stale()
        as_of = options["as_of"] or timezone.localdate()
        compute_date(as_of)
        self.stdout.write(f"stale lingkungan refreshed: {stale}; summaries computed for {as_of.isoformat()}")
