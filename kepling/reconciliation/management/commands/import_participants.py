"""`kepling import_participants PATH`: store a BPJS participant extract (nik, kpj, nama, status, per_tanggal)."""

from pathlib import Path
from typing import Any

from kepling.core.importing import ImportCommand
from kepling.core.tabular import ImportResult
from kepling.reconciliation.participants import import_participants_file


class Command(ImportCommand):
    help = "Store a BPJS participant extract (nik, kpj, nama, status aktif/nonaktif, per_tanggal)."
    offers_dry_run = True

    def run_import(self, options: dict[str, Any], by: Any) -> ImportResult:
        result = import_participants_file(Path(options["path"]), by=by, dry_run=options["dry_run"])
        if not options["dry_run"] and result.applied:
            # Matching runs after every import, once the import committed.
            from kepling.reconciliation.tasks import reconcile_after_import

            reconcile_after_import(by=by)
        return result
