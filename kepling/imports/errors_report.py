"""The downloadable error report of an import job: one line per problem, with the row as uploaded."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from kepling.core.tabular import UnusableFileError, read_raw
from kepling.imports.models import ImportJob
from kepling.reports.spreadsheet import new_workbook, write_text, write_value


def job_errors(job: ImportJob) -> list[dict[str, Any]]:
    """The rejected values of a job: from its result when applied, else from its check."""
    source = job.result if job.result is not None else (job.validation or {})
    return list(source.get("errors", []))


def error_report(job: ImportJob) -> bytes:
    """An XLSX file: row number, column, message, then the row's original values."""
    errors = job_errors(job)
    wanted = {int(e["row"]) for e in errors}
    header: list[str] = []
    originals: dict[int, list[str]] = defaultdict(list)
    try:
        header, rows = read_raw(job.path)
        for number, cells in rows:
            if number in wanted:
                originals[number] = cells
    except UnusableFileError:
        pass
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    bold = book.add_format({"bold": True, "bg_color": "#E6F2EC"})
    sheet = book.add_worksheet(_("Errors")[:31])
    titles = [_("Row"), _("Column"), _("Message"), *header]
    for column, title in enumerate(titles):
        write_text(sheet, 0, column, title, bold)
    for line, error in enumerate(sorted(errors, key=lambda e: (int(e["row"]), str(e["column"]))), start=1):
        write_value(sheet, line, 0, int(error["row"]))
        write_text(sheet, line, 1, error["column"])
        write_text(sheet, line, 2, error["message"])
        for offset, value in enumerate(originals.get(int(error["row"]), [])):
            write_text(sheet, line, 3 + offset, value)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 60)
    sheet.set_column(3, 3 + max(0, len(header) - 1), 16)
    book.close()
    return buffer.getvalue()
