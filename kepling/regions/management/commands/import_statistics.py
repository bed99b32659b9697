"""`kepling import_statistics PATH [--dry-run] [--json]`: labour force and BPJS participants."""

from __future__ import annotations

from typing import Any

from kepling.accounts.models import User
from kepling.core.importing import ImportCommand
from kepling.core.tabular import ImportResult
from kepling.regions.imports import import_statistics


class Command(ImportCommand):
    help = (
        "Set labour force and active BPJS participants per wilayah from a CSV/XLSX file "
        "(columns kode, angkatan_kerja, peserta_aktif_bpjs, per_tanggal)."
    )
    offers_dry_run = True

    def run_import(self, options: dict[str, Any], by: User | None) -> ImportResult:
        return import_statistics(options["path"], by=by, dry_run=options["dry_run"])
