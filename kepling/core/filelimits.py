"""Limits checked on every uploaded file before any reader opens it.

A spreadsheet reader sizes its grid from the cell references it finds: one cell at `XFD1048576`
in a 1.6 KB file asks for a 16,384 x 1,048,576 grid and the process dies without an exception.
So the archive, the declared dimension and every cell reference are checked here first, by
streaming the XML through a regular expression, which needs no more memory than one block.
The limits fit the largest real files with room to spare: a BPJS payment extract of 1,000,000
rows and 6 to 10 columns (docs/performance.md), worker files of a few thousand rows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from kepling.core.errors import DomainError
from kepling.core.formatting import format_number

MAX_FILE_BYTES = 300 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 200
MAX_ROWS = 1_048_576
MAX_COLUMNS = 60
MAX_CELLS = 12_000_000
MAX_CELL_CHARS = 2_000
MAX_CSV_LINES = 1_100_000
ZIP_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".csv", ".txt"}
ACCEPTED_SUFFIXES = ZIP_SUFFIXES | TEXT_SUFFIXES

CELL_REF = re.compile(rb"<(?:\w+:)?(?:c|row)\b[^>]*?\sr=\"([A-Z]{0,3})(\d{1,10})\"")
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"([A-Z]{1,3})(\d{1,10})(?::([A-Z]{1,3})(\d{1,10}))?\"")
LONG_TEXT = re.compile(rb">[^<]{%d,}<" % (MAX_CELL_CHARS + 1))
BLOCK = 1 << 20
OVERLAP = MAX_CELL_CHARS + 64


class FileTooLargeError(DomainError):
    """The file, or the grid it declares, is beyond what any real extract needs."""


def column_number(letters: str) -> int:
    """`A` is 1, `Z` 26, `AA` 27, `XFD` 16,384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_file(path: Path) -> None:
    """Refuse, with a message for the user, a file that could exhaust memory when read."""
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise FileTooLargeError(_("Send a CSV or an XLSX file (save other spreadsheets as .xlsx)."))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FileTooLargeError(_("The file is too large (at most 300 MB)."))
    if suffix in ZIP_SUFFIXES:
        _check_xlsx(path)


def check_csv_text(text: str, delimiter: str) -> None:
    """A CSV's line count and longest cell, before it is parsed."""
    if text.count("\n") > MAX_CSV_LINES:
        raise FileTooLargeError(_("The file has too many rows (at most %(n)s).") % {"n": format_number(MAX_CSV_LINES)})
    longest = max(map(len, text.splitlines()), default=0)
    if longest <= MAX_CELL_CHARS:
        return
    # Rare: some line is long, so look at the cells themselves (the reader's own limit is 128 KB).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            check_cells(record)
    except csv.Error as exc:
        raise FileTooLargeError(cell_too_long_message()) from exc


def check_cells(record: list[str]) -> None:
    if any(len(cell) > MAX_CELL_CHARS for cell in record):
        raise FileTooLargeError(cell_too_long_message())


def cell_too_long_message() -> str:
    return _("A cell holds more than %(n)s characters; no column of an import needs that much.") % {
        "n": format_number(MAX_CELL_CHARS)
    }


def _check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise FileTooLargeError(_("The spreadsheet has too many parts to be a data extract."))
            if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
                raise FileTooLargeError(_("The spreadsheet is too large once unpacked (at most 1 GB)."))
            for member in members:
                name = member.filename
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_sheet(_blocks(archive, name))
                elif name == "xl/sharedStrings.xml":
                    _check_strings(_blocks(archive, name))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise FileTooLargeError(_("The spreadsheet cannot be read. Save it again as .xlsx and retry.")) from exc


def _blocks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    # Read in blocks that overlap a little so a reference split across two blocks is still seen.
    tail = b""
    with archive.open(name) as handle:
        while block := handle.read(BLOCK):
            yield tail + block
            tail = block[-OVERLAP:]


def _check_sheet(blocks: Iterator[bytes]) -> None:
    max_row = max_column = 0
    for block in blocks:
        for match in DIMENSION.finditer(block):
            end_col, end_row = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
            _check_grid(int(end_row), column_number(end_col.decode()))
        for match in CELL_REF.finditer(block):
            max_row = max(max_row, int(match.group(2)))
            if match.group(1):
                max_column = max(max_column, column_number(match.group(1).decode()))
        _check_grid(max_row, max_column)
        if LONG_TEXT.search(block):
            raise FileTooLargeError(cell_too_long_message())


def _check_strings(blocks: Iterator[bytes]) -> None:
    for block in blocks:
        if LONG_TEXT.search(block):
            raise FileTooLargeError(cell_too_long_message())


def _check_grid(rows: int, columns: int) -> None:
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * max(columns, 1) > MAX_CELLS:
        raise FileTooLargeError(
            _(
                "The sheet reaches row %(rows)s and column %(columns)s; an import file has at most "
                "%(max_columns)s columns and %(max_cells)s cells. Delete the empty rows and columns "
                "after the data and save again."
            )
            % {
                "rows": format_number(rows),
                "columns": format_number(columns),
                "max_columns": MAX_COLUMNS,
                "max_cells": format_number(MAX_CELLS),
            }
        )
