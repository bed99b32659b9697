"""`kepling import_lingkungan PATH [--dry-run] [--json]`: create or update lingkungan."""

from __future__ import annotations

from typing import Any

from kepling.accounts.models import User
from kepling.core.importing import ImportCommand
from kepling.core.tabular import ImportResult
from kepling.regions.imports import import_lingkungan


class Command(ImportCommand):
    help = "Create or update lingkungan from a CSV/XLSX file (columns kode, nama, target)."
    offers_dry_run = True

    def run_import(self, options: dict[str, Any], by: User | None) -> ImportResult:
        return import_lingkungan(options["path"], by=by, dry_run=options["dry_run"])
