"""`kepling demo`: replace the database's content with the reference scenario."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kepling.core.progress import Progress
from kepling.demo.scenario import DEMO_PASSWORD, REFERENCE_DATE, build_demo, demo_logins
from kepling.reconciliation.matching import rebuild_queue


class Command(BaseCommand):
    help = "Replace ALL data with the reference scenario (Kota Medan, 29 Oct 2025 by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", default=REFERENCE_DATE.isoformat(), help="YYYY-MM-DD (default 2025-10-29)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same people)")
        parser.add_argument("--yes", action="store_true", help="confirm replacing the data when DEBUG is off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["yes"]:
            raise CommandError("This replaces every record in the database. Add --yes to confirm (DEBUG is off).")
        try:
            as_of = datetime.date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError(f"--as-of must be written YYYY-MM-DD, not '{options['as_of']}'.") from None
        started = time.perf_counter()
        try:
            build_demo(as_of=as_of, seed=options["seed"], report=Progress(self.stderr).step)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        # As after every import, the extracts are matched against the registry.
        rebuild_queue(as_of)
        if connection.vendor == "postgresql":
            # Freshly bulk-loaded tables have no statistics until autovacuum passes: without them the
            # planner picks nested loops (the city workbook's worker query took 25 s instead of 0.3 s).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Demo data for {as_of.isoformat()} built in {time.perf_counter() - started:.1f} s.")
        print_logins(self)


def print_logins(command: BaseCommand) -> None:
    """The demo accounts and their shared password."""
    command.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, what in demo_logins():
        command.stdout.write(f"  {username:<28} {what}")
