"""`kepling import_workers PATH [--dry-run] [--json] [--by USERNAME]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kepling.accounts.models import User
from kepling.core.tabular import UnusableFileError
from kepling.workers.imports import WorkerImportResult, import_workers_file


class Command(BaseCommand):
    help = "Register workers from a CSV or XLSX file; bad rows are reported, good rows applied."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV (comma or semicolon, UTF-8) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.add_argument("--by", metavar="USERNAME", help="the account the registrations are recorded under")

    def handle(self, *args: Any, **options: Any) -> None:
        by = self._user(options["by"])
        try:
            result = import_workers_file(options["path"], by=by, dry_run=options["dry_run"])
        except UnusableFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self._print(result)

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named '{username}'.")
        return user

    def _print(self, result: WorkerImportResult) -> None:
        prefix = "dry run (nothing written): " if result.dry_run else ""
        self.stdout.write(
            f"{prefix}rows: {result.rows}  applied: {result.applied}  "
            f"already_present: {result.already_present}  rejected: {result.rejected}  "
            f"conflicts: {result.conflicts}  likely_duplicates: {result.likely_duplicates}"
        )
        for error in result.errors:
            self.stdout.write(f"  error   row {error.row}, {error.column}: {error.message}")
        for warning in result.warnings:
            self.stdout.write(f"  warning row {warning.row}, {warning.column}: {warning.message}")
