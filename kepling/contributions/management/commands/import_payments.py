"""`kepling import_payments PATH`: apply a BPJS payment extract."""

from typing import Any

from kepling.contributions.imports import import_payments_file
from kepling.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Apply a BPJS payment extract (nik, kpj, periode, jumlah, tanggal_bayar, referensi)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.run_import(import_payments_file, options)
