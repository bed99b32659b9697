"""Reading the CSV and XLSX files users upload, the same way for every import.

Headers are matched without regard to case, spaces or underscores; row numbers are counted
as a spreadsheet user counts them (the header is row 1); blank rows are skipped but counted.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from kepling.core import filelimits
from kepling.core.errors import DomainError
from kepling.core.identifiers import ascii_digits

XLSX_SUFFIXES = filelimits.ZIP_SUFFIXES


class UnusableFileError(DomainError):
    """The file as a whole cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class RowError:
    """One rejected value, located the way a spreadsheet user finds it."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class RowRejectedError(DomainError):
    """Raised while validating a row; carries every problem found in it."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{c}: {m}" for c, m in errors))
        self.errors = errors


@dataclass
class ImportResult:
    """The counts every import prints (contract: rows, applied, already_present, rejected, errors)."""

    rows: int = 0
    applied: int = 0
    already_present: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    def reject(self, row: int, problems: list[tuple[str, str]]) -> None:
        self.rejected += 1
        self.errors.extend(RowError(row, column, message) for column, message in problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "applied": self.applied,
            "already_present": self.already_present,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


def normalise_header(name: object) -> str:
    """`Kode Lingkungan`, `KODE_LINGKUNGAN` and `kodelingkungan` are the same column."""
    return re.sub(r"[\s_\-]+", "", str(name or "")).strip().lower().lstrip("\ufeff")


def cell_text(value: object) -> str:
    """One cell as the text a user typed: whole floats lose their `.0`, dates become ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    # Digits of any script become ASCII here, so every import validates and hashes the same NIK alike.
    return ascii_digits(str(value)).strip()


@dataclass
class TabularFile:
    """A header row plus data rows; `rows()` streams `(row_number, {column: text})`."""

    path: Path
    columns: list[str]
    _raw_header: list[str]
    _row_source: Iterator[tuple[int, list[object]]]

    def raw_rows(self) -> Iterator[tuple[int, list[object]]]:
        """`(row_number, cells)` as the file holds them, blank rows included: for readers that pick columns by index."""
        return self._row_source

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        for number, cells in self.raw_rows():
            texts = [cell_text(c) for c in cells]
            if not any(texts):
                continue
            record = {column: (texts[i] if i < len(texts) else "") for i, column in enumerate(self.columns) if column}
            yield number, record


def _open_any(path: str | Path) -> tuple[Path, list[str], Iterator[tuple[int, list[object]]]]:
    """The file's header and numbered rows, once it is found, within the limits, and read as XLSX or CSV."""
    file_path = Path(path)
    if not file_path.is_file():
        raise UnusableFileError(_("File not found: %(path)s. Check the path and try again.") % {"path": file_path})
    _check_limits(file_path)
    opener = _open_xlsx if file_path.suffix.lower() in XLSX_SUFFIXES else _open_csv
    header, source = opener(file_path)
    return file_path, header, source


def open_table(path: str | Path, *, required: list[str], optional: list[str] = ()) -> TabularFile:  # type: ignore[assignment]
    """Open a CSV or XLSX file and check its header names every required column."""
    file_path, header, source = _open_any(path)
    columns = [normalise_header(h) for h in header]
    wanted = {normalise_header(c): c for c in [*required, *optional]}
    missing = [c for c in required if normalise_header(c) not in columns]
    if missing:
        found = ", ".join(h for h in header if str(h).strip()) or _("(none)")
        raise UnusableFileError(
            _(
                "Missing column(s): %(missing)s. The header row has: %(found)s. "
                "Rename the columns or use the template; required: %(required)s."
            )
            % {"missing": ", ".join(missing), "found": found, "required": ", ".join(required)}
        )
    duplicated = sorted({c for c in columns if c in wanted and columns.count(c) > 1})
    if duplicated:
        raise UnusableFileError(_("Column(s) appear more than once: %(columns)s.") % {"columns": ", ".join(duplicated)})
    keyed = [wanted.get(c, "") for c in columns]
    return TabularFile(file_path, keyed, [str(h) for h in header], source)


def _open_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, list[object]]]]:
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise UnusableFileError(_("This looks like an Excel file with a .csv name: save it as .xlsx."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableFileError(
            _("The file is not UTF-8 text. In Excel choose 'Save as: CSV UTF-8', or upload the .xlsx.")
        ) from exc
    if "\x00" in text:
        raise UnusableFileError(_("The file is not a text CSV (it contains binary data)."))
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        raise UnusableFileError(_("The file is empty: it needs a header row and data rows."))
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        filelimits.check_csv_text(text, delimiter)
    except filelimits.FileTooLargeError as exc:
        raise UnusableFileError(str(exc)) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = _checked_records(reader)
    header_entry = next(((n, r) for n, r in numbered if any(c.strip() for c in r)), None)
    if header_entry is None:
        raise UnusableFileError(_("The file is empty: it needs a header row and data rows."))
    header = list(header_entry[1])
    # A spreadsheet counts the physical line of each record; csv.line_num gives its last line.
    return header, ((n, list(r)) for n, r in numbered)


def _check_limits(path: Path) -> None:
    try:
        filelimits.check_file(path)
    except filelimits.FileTooLargeError as exc:
        raise UnusableFileError(str(exc)) from exc


def _checked_records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Records with their line numbers; a cell too long to be data stops the file (a backstop for
    quoted cells spanning lines, which the check before parsing does not see)."""
    try:
        for row in reader:
            filelimits.check_cells(row)
            yield reader.line_num, list(row)
    except (csv.Error, filelimits.FileTooLargeError) as exc:
        raise UnusableFileError(filelimits.cell_too_long_message()) from exc


def _open_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, list[object]]]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:
        raise UnusableFileError(
            _("The spreadsheet cannot be read (%(error)s). Save it again as .xlsx and retry.") % {"error": exc}
        ) from exc
    rows = iter(enumerate(sheet.iter_rows(), start=1))
    for number, cells in rows:
        if any(cell_text(c) for c in cells):
            header = [cell_text(c) for c in cells]
            return header, ((n, list(r)) for n, r in rows)
        del number
    raise UnusableFileError(_("The first sheet is empty: it needs a header row and data rows."))


def read_raw(path: str | Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header as written and every row as text, numbered as a spreadsheet user counts them.

    For previews, column mapping and error reports, which need the columns the contract does
    not name as well as those it does.
    """
    _file_path, header, source = _open_any(path)
    return [cell_text(h) for h in header], ((n, [cell_text(c) for c in cells]) for n, cells in source)


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def parse_date(text: str) -> datetime.date:
    """`YYYY-MM-DD` or `DD/MM/YYYY` (an XLSX date cell arrives as ISO already)."""
    value = text.strip()
    if "T" in value:
        value = value.split("T", 1)[0]
    elif " " in value:
        value = value.split(" ", 1)[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("'%(text)s' is not a date; write YYYY-MM-DD or DD/MM/YYYY") % {"text": text})


def parse_month(text: str) -> datetime.date:
    """`YYYY-MM` (also `MM/YYYY`), as the first day of that month."""
    value = text.strip()
    for fmt in ("%Y-%m", "%m/%Y", "%Y/%m"):
        try:
            return datetime.datetime.strptime(value, fmt).date().replace(day=1)
        except ValueError:
            continue
    try:
        return parse_date(value).replace(day=1)
    except ValueError:
        raise ValueError(_("'%(text)s' is not a month; write YYYY-MM") % {"text": text}) from None


RUPIAH_PATTERN = re.compile(r"^(?:rp\.?)?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,0{1,2})?$", re.IGNORECASE)


def parse_rupiah(text: str) -> int:
    """Whole Rupiah: `1500000`, `1.500.000` or `Rp 1.500.000`."""
    value = text.strip().replace("\u00a0", " ")
    match = RUPIAH_PATTERN.match(value.replace(" ", "")) if value else None
    if not match:
        raise ValueError(_("'%(text)s' is not a Rupiah amount; write it like 1500000 or Rp 1.500.000") % {"text": text})
    return int(match.group(1).replace(".", ""))


def parse_int(text: str) -> int:
    """A whole number, allowing Indonesian thousands dots."""
    value = text.strip().replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", value):
        value = value.replace(".", "")
    try:
        return int(value)
    except ValueError:
        raise ValueError(_("'%(text)s' is not a whole number") % {"text": text}) from None
