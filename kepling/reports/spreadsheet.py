"""Writing spreadsheets people open in Excel: text never becomes a formula.

Every text cell goes through `write_text`: it is written as a string (never parsed as a
formula) and a leading `=`, `+`, `-` or `@` gets an apostrophe, so the value stays inert even
when the sheet is saved again as CSV and opened elsewhere.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def new_workbook(buffer: io.BytesIO, *, constant_memory: bool = False) -> Any:
    """A workbook that never converts strings to formulas, numbers or URLs."""
    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": not constant_memory,
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def write_text(sheet: Any, row: int, column: int, value: object, cell_format: Any = None) -> None:
    sheet.write_string(row, column, neutralise("" if value is None else str(value)), cell_format)


def write_value(sheet: Any, row: int, column: int, value: object, cell_format: Any = None) -> None:
    """Numbers as numbers, dates as ISO text, everything else as inert text."""
    if isinstance(value, bool):
        write_text(sheet, row, column, "1" if value else "0", cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, cell_format)
    elif isinstance(value, datetime.date):
        write_text(sheet, row, column, value.isoformat(), cell_format)
    elif value is None:
        sheet.write_blank(row, column, None, cell_format)
    else:
        write_text(sheet, row, column, value, cell_format)
