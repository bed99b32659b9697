"""Lists officials work from, downloaded as CSV or XLSX: the rows of the screen, in its order, audited.

A list page builds one `ListExport` (its columns and every row of the list across its pages,
in the order the screen shows them, already scoped and masked for the user) and answers
`?unduh=csv` or `?unduh=xlsx` with `export_response`. Text never becomes a spreadsheet formula.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify

from kepling.accounts.models import User
from kepling.core import audit
from kepling.core.params import choice_param

# A leaf module (xlsxwriter only): the one place that keeps spreadsheet text from becoming a formula.
from kepling.reports.spreadsheet import neutralise, new_workbook, write_text, write_value

EXPORT_FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class ListExport:
    """A list as it is downloaded: a name (file and audit), column titles, and the rows."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    scope: str = ""  # the area or object the list is of, for the file name and the audit row
    # The workers the rows show, filled by the rows' generator as the file is written: the audit
    # row names them, so "who saw this person" includes the lists they were downloaded in.
    workers: list[int] = field(default_factory=list)


# A phone number (+6281...) starts like a formula but can run nothing: it stays readable.
_PHONE = re.compile(r"\+\d{6,15}")


def _inert(text: str) -> str:
    return text if _PHONE.fullmatch(text) else neutralise(text)


def wanted_format(request: HttpRequest) -> str | None:
    """`csv` or `xlsx` when the request asks for a download (`?unduh=`), else None."""
    return choice_param(request, "unduh", EXPORT_FORMATS) or None


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return _inert(str(value))


def _csv(export: ListExport) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(h)) for h in export.headers])
    count = 0
    for row in export.rows:
        writer.writerow([_csv_cell(v) for v in row])
        count += 1
    # A byte-order mark: Excel opens UTF-8 names (é, ü) correctly only with it.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def _xlsx(export: ListExport) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    book = new_workbook(buffer, constant_memory=True)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(export.name[:31])
    for column, title in enumerate(export.headers):
        write_text(sheet, 0, column, title, bold)
    count = 0
    for count, row in enumerate(export.rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(count, column, _inert(value))
            else:
                write_value(sheet, count, column, value)
    sheet.freeze_panes(1, 1)
    book.close()
    return buffer.getvalue(), count


def export_response(user: User, export: ListExport, fmt: str) -> HttpResponse:
    """The file of a list, with its audit row (who downloaded which list of which area, how many rows)."""
    content, count = _csv(export) if fmt == "csv" else _xlsx(export)
    audit.record(
        actor=user, action="list_exported", object_type="list", object_id=export.name,
        new={"format": fmt, "rows": count, "scope": export.scope}, workers=export.workers,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    stem = slugify(f"{export.name} {export.scope}") or "daftar"
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
