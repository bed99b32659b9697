"""`kepling backup DIR`: write one consistent backup of the database into DIR and print its path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kepling.core.backups import BackupError, backup


class Command(BaseCommand):
    help = "Write one backup file of the database into DIR (safe while the site serves) and print its path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup(options["directory"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(path))
