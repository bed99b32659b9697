"""`kepling import_participants PATH`: store a BPJS participant extract (nik, kpj, nama, status, per_tanggal)."""

from typing import Any

from kepling.core.importing import ImportCommand
from kepling.reconciliation.participants import import_participants_file


class Command(ImportCommand):
    help = "Store a BPJS participant extract (nik, kpj, nama, status aktif/nonaktif, per_tanggal)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_import(import_participants_file, options)
