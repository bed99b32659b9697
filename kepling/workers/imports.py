"""Registering workers from a CSV or XLSX file (the command line and the web upload share this)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.core.tabular import ImportResult, RowError, open_table, parse_date, parse_rupiah
from kepling.workers.bulk import BulkOutcome, register_workers_bulk
from kepling.workers.validation import Problem, WorkerInput

REQUIRED_COLUMNS = [
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "no_hp",
    "kode_lingkungan",
    "pekerjaan",
    "sektor",
    "penghasilan",
    "program",
    "sumber_iuran",
    "tanggal_daftar",
]
OPTIONAL_COLUMNS = ["kepling"]
TEXT_COLUMNS = (
    "nik",
    "nama",
    "jenis_kelamin",
    "no_hp",
    "kode_lingkungan",
    "pekerjaan",
    "sektor",
    "program",
    "sumber_iuran",
    "kepling",
)


@dataclass
class WorkerImportResult(ImportResult):
    """The contract's import counts, plus the review cases the file opened."""

    conflicts: int = 0
    conflicts_opened: int = 0
    likely_duplicates: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "conflicts": self.conflicts,
            "conflicts_opened": self.conflicts_opened,
            "likely_duplicates": self.likely_duplicates,
            "dry_run": self.dry_run,
        }


def import_workers_file(
    path: str | Path, *, by: User | None, dry_run: bool = False, consent_given: bool = True
) -> WorkerImportResult:
    """Read a worker file and register its good rows; raises UnusableFileError if unusable.

    Registration files are typed from the paper form, which carries the worker's signed
    consent statement, so consent is taken as given unless the caller says otherwise.
    """
    table = open_table(path, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    numbers: list[int] = []
    inputs: list[WorkerInput] = []
    for number, record in table.rows():
        numbers.append(number)
        inputs.append(row_to_input(record))
    outcome = register_workers_bulk(
        by=by, rows=inputs, consent_given=consent_given, row_numbers=numbers, dry_run=dry_run
    )
    return _result(outcome, dry_run)


def row_to_input(record: dict[str, str]) -> WorkerInput:
    """One file row as the registration input; unreadable dates or amounts become read errors."""
    read_errors: list[Problem] = []
    text = {column: record.get(column, "").strip() for column in TEXT_COLUMNS}
    return WorkerInput(
        nik=text["nik"],
        nama=text["nama"],
        jenis_kelamin=text["jenis_kelamin"],
        no_hp=text["no_hp"],
        kode_lingkungan=text["kode_lingkungan"],
        pekerjaan=text["pekerjaan"],
        sektor=text["sektor"],
        program=text["program"],
        sumber_iuran=text["sumber_iuran"],
        kepling=text["kepling"],
        tanggal_lahir=_parsed("tanggal_lahir", record, _parse_date, read_errors),
        tanggal_daftar=_parsed("tanggal_daftar", record, _parse_date, read_errors),
        penghasilan=_parsed("penghasilan", record, parse_rupiah, read_errors),
        read_errors=read_errors,
    )


T = TypeVar("T")

# The same few thousand dates recur across a large file; parsing each text once saves seconds.
_parse_date = functools.lru_cache(maxsize=65536)(parse_date)


def _parsed(column: str, record: dict[str, str], parse: Callable[[str], T], errors: list[Problem]) -> T | None:
    text = record.get(column, "").strip()
    if not text:
        return None  # the checks report the missing value
    try:
        return parse(text)
    except ValueError:
        errors.append((column, _READ_MESSAGES[column]() % {"value": text}))
        return None


_READ_MESSAGES: dict[str, Callable[[], str]] = {
    "tanggal_lahir": lambda: _("tanggal_lahir '%(value)s' is not a date; write YYYY-MM-DD or DD/MM/YYYY."),
    "tanggal_daftar": lambda: _("tanggal_daftar '%(value)s' is not a date; write YYYY-MM-DD or DD/MM/YYYY."),
    "penghasilan": lambda: _("penghasilan '%(value)s' is not a Rupiah amount; write it like 1500000 or Rp 1.500.000."),
}


def _result(outcome: BulkOutcome, dry_run: bool) -> WorkerImportResult:
    result = WorkerImportResult(rows=len(outcome.rows), dry_run=dry_run)
    for row in outcome.rows:
        if row.status == "rejected":
            result.reject(row.row, row.errors)
        elif row.status == "registered":
            result.applied += 1
        else:
            # A conflict row is kept as an open claim for the Lurah, not applied and not lost.
            result.already_present += 1
            result.conflicts += row.status == "conflict"
        result.warnings.extend(RowError(row.row, column, message) for column, message in row.warnings)
    result.conflicts_opened = outcome.conflicts_opened
    result.likely_duplicates = outcome.likely_duplicates
    return result
