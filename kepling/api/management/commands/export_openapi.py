"""Write the API's OpenAPI document to docs/api/openapi.json, or check that it is current."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kepling.api.openapi import COMMITTED_PATH, current_schema, render


class Command(BaseCommand):
    help = "Write the API's OpenAPI document (docs/api/openapi.json); --check fails when it is out of date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the file differs")
        parser.add_argument("--output", default=str(COMMITTED_PATH), help="where to write the document")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["output"])
        text = render(current_schema())
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `kepling export_openapi` and commit it.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
