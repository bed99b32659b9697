"""`kepling import_workers PATH [--dry-run] [--json] [--by USERNAME]`."""

from __future__ import annotations

from typing import Any

from kepling.contributions.summaries import refresh_summaries
from kepling.core.importing import ImportCommand
from kepling.core.progress import Progress
from kepling.core.tabular import ImportResult
from kepling.workers.imports import import_workers_file


class Command(ImportCommand):
    help = "Register workers from a CSV or XLSX file; bad rows are reported, good rows applied."
    offers_dry_run = True

    def run_import(self, options: dict[str, Any], by: Any) -> ImportResult:
        progress = Progress(self.stderr)
        progress.step(f"reading and registering {options['path']}")
        result = import_workers_file(options["path"], by=by, dry_run=options["dry_run"])
        progress.step("done")
        return result

    def after_import(self, result: ImportResult) -> None:
        # The command returns with the figures current; a running task worker's refresh then finds nothing left.
        Progress(self.stderr).step("updating the stored figures")
        refresh_summaries()
