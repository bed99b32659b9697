"""`kepling purge_files [--json]`: delete uploads, credential sheets and report files past their retention."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kepling.imports.retention import purge_files
from kepling.reports.retention import purge_report_files


class Command(BaseCommand):
    help = "Delete stored uploads, credential sheets and report files whose retention period has passed (nightly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = purge_files() | {"reports": purge_report_files()}
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"uploads deleted: {counts['uploads']}, credential sheets deleted: {counts['credential_sheets']}, "
                f"report files deleted: {counts['reports']}"
            )
