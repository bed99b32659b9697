"""`kepling import_kepling PATH [--credentials OUT] [--json]`: Kepling accounts and terms."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from kepling.accounts.models import User
from kepling.core.importing import ImportCommand
from kepling.core.tabular import ImportResult
from kepling.regions.credentials import default_credentials_path, write_credentials_sheet
from kepling.regions.imports import KeplingImportResult, import_kepling


class Command(ImportCommand):
    help = (
        "Create Kepling accounts and their terms from a CSV/XLSX file (columns username, nama, "
        "no_hp, kode_lingkungan, mulai_jabatan); writes a credentials sheet with a one-time "
        "password each."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--credentials",
            metavar="OUT",
            help="where to write the credentials sheet (default var/credentials/credentials-<time>.xlsx, owner-only)",
        )

    def run_import(self, options: dict[str, Any], by: User | None) -> ImportResult:
        return import_kepling(options["path"], by=by)

    def extra_report(self, result: ImportResult, options: dict[str, Any]) -> dict[str, Any]:
        assert isinstance(result, KeplingImportResult)
        if not result.credentials:
            return {"credentials": None}
        path = write_credentials_sheet(
            options["credentials"] or default_credentials_path(), result.credentials
        )
        return {"credentials": str(path)}
