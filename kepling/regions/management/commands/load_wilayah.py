"""`kepling load_wilayah [--file PATH]`: the city, its kecamatan and kelurahan."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from kepling.accounts.models import User
from kepling.core.importing import ImportCommand
from kepling.core.tabular import ImportResult
from kepling.regions.imports import DEFAULT_WILAYAH_FILE, load_wilayah


class Command(ImportCommand):
    help = "Load the city, its kecamatan and kelurahan from a CSV/XLSX file (default: Kota Medan)."
    takes_path = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--file",
            default=str(DEFAULT_WILAYAH_FILE),
            help="columns kode, tingkat, nama, kode_induk, kode_pos",
        )
        super().add_arguments(parser)

    def run_import(self, options: dict[str, Any], by: User | None) -> ImportResult:
        return load_wilayah(options["file"], by=by)
