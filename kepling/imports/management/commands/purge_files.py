"""`kepling purge_files [--json]`: delete uploads and credential sheets past their retention period."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kepling.imports.retention import purge_files


class Command(BaseCommand):
    help = "Delete stored uploads and credential sheets whose retention period has passed (run nightly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = purge_files()
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"uploads deleted: {counts['uploads']}, credential sheets deleted: {counts['credential_sheets']}"
            )
