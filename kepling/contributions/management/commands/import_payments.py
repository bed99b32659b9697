"""`kepling import_payments PATH`: apply a BPJS payment extract."""

from pathlib import Path
from typing import Any

from kepling.contributions.imports import import_payments_file
from kepling.contributions.summaries import refresh_summaries
from kepling.core.importing import ImportCommand
from kepling.core.progress import Progress
from kepling.core.tabular import ImportResult


class Command(ImportCommand):
    help = "Apply a BPJS payment extract (nik, kpj, periode, jumlah, tanggal_bayar, referensi)."
    offers_dry_run = True

    def run_import(self, options: dict[str, Any], by: Any) -> ImportResult:
        progress = Progress(self.stderr)
        progress.step(f"reading {Path(options['path']).name}")
        result = import_payments_file(Path(options["path"]), by=by, dry_run=options["dry_run"], progress=progress.rows)
        if not options["dry_run"] and (result.applied or result.held):
            # Matching runs after every import, once the import committed (held cancellations are listed too).
            from kepling.reconciliation.tasks import reconcile_after_import

            progress.step("matching against the registry")
            reconcile_after_import(by=by)
        progress.step("done")
        return result

    def after_import(self, result: ImportResult) -> None:
        # The command returns with the figures current; a running task worker's refresh then finds nothing left.
        Progress(self.stderr).step("updating the stored figures")
        refresh_summaries(pickable=True)
