"""`kepling restore FILE --yes [--database-url URL]`: restore a backup into an empty database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kepling.core.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup from `kepling backup` into an empty database (the configured one by default)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="confirm: the target database is written")
        parser.add_argument("--database-url", help="the empty database to restore into (default: DATABASE_URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("Restoring writes a whole database: run it again with --yes.")
        url = options["database_url"] or os.environ.get("DATABASE_URL") or f"sqlite:///{settings.SQLITE_PATH}"
        try:
            restore(options["file"], url)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {options['file']}")
