"""Reports for a node and a date: an Excel workbook and a PDF for meetings, with the dashboard's own numbers.

Figures come from the same functions the dashboards use (`node_summary`, `units_below`,
`kepling_rows`); the worker list goes through `workers_for(user)`. Every export is audited.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.accounts.permissions import shows_full_nik_in_reports
from kepling.contributions.models import WorkerMonth
from kepling.contributions.status import STATUS_LABELS, Status, covered_on, registered_on, status_from, with_status
from kepling.contributions.summaries import node_summary
from kepling.core import audit
from kepling.core.crypto import decrypt_text
from kepling.core.formatting import format_date, format_number, format_percent
from kepling.dashboards.queries import kepling_rows, progress_series, units_below
from kepling.regions.models import LEVEL_KEYS, LevelName, Wilayah
from kepling.regions.queries import level_names
from kepling.reports.spreadsheet import new_workbook, write_text, write_value
from kepling.workers.models import Worker
from kepling.workers.queries import workers_for

FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
HEAD_TITLES = {0: "Wali Kota", 1: "Camat", 2: "Lurah", 3: "Kepala Lingkungan"}
# The PDF is for a meeting table: a city-wide Kepling table (2,001 rows) belongs in the workbook.
PDF_KEPLING_MAX = 300
# Told the share of a build done so far, from 0 to 1.
Progress = Callable[[float], None]


def summary_lines() -> list[tuple[str, str, str]]:
    """(key, label, kind) of the Ringkasan sheet, in the order of `kepling summary`."""
    return [
        ("target", _("Target"), "int"),
        ("registered", _("Registered"), "int"),
        ("protected", _("Protected"), "int"),
        ("remaining", _("Remaining"), "int"),
        ("progress_pct", _("Progress (%)"), "pct"),
        ("kepling_shortfall", _("Kepling shortfall"), "int"),
        ("paid_one_month_only", _("Paid one month only"), "int"),
        ("never_paid", _("Never paid"), "int"),
        ("active", _("Active"), "int"),
        ("in_arrears", _("In arrears"), "int"),
        ("inactive", _("Inactive"), "int"),
        ("labour_force", _("Labour force"), "int"),
        ("bpjs_active_participants", _("Active BPJS participants"), "int"),
        ("coverage_pct", _("Coverage (%)"), "pct"),
        ("kecamatan", _("Kecamatan"), "int"),
        ("kelurahan", _("Kelurahan"), "int"),
        ("lingkungan", _("Lingkungan"), "int"),
    ]


UNIT_COLUMNS = (
    "target", "registered", "protected", "remaining", "progress_pct", "paid_one_month_only",
    "never_paid", "active", "in_arrears", "inactive",
)


def unit_headers() -> list[str]:
    return [
        _("Target"), _("Registered"), _("Protected"), _("Remaining"), _("Progress (%)"),
        _("Paid one month only"), _("Never paid"), _("Active"), _("In arrears"), _("Inactive"),
    ]


@dataclass
class ReportData:
    """Everything one report shows."""

    node: Wilayah
    as_of: datetime.date
    summary: dict[str, Any]
    units: list[dict[str, Any]]
    kepling: list[dict[str, Any]]
    series: list[dict[str, Any]]
    level_name: str
    child_level_name: str
    head_title: str
    place: str


def head_title(node: Wilayah) -> str:
    """`Camat Medan Kota`: what the head of the node is called, from the deployment's level names."""
    title = LevelName.objects.filter(level=node.level).values_list("head_title", flat=True).first()
    title = title or HEAD_TITLES.get(node.level, "")
    name = node.nama.removeprefix("Kota ") if node.level == 0 else node.nama
    return f"{title} {name}".strip()


def place_of(node: Wilayah) -> str:
    """The city the report is signed in (`Medan`)."""
    city = Wilayah.objects.filter(pk=node.kota_id).first() if node.kota_id is not None else None
    return (city or node).nama.removeprefix("Kota ").strip()


def collect(node: Wilayah, as_of: datetime.date) -> ReportData:
    """The node's figures, its units one level down, its Kepling, and the progress series."""
    names = level_names()
    kepling = [
        {
            **row.unit.as_dict(), "kepling": str(row.kepling) if row.kepling else "", "below_target": row.below_target,
            "phone": row.kepling.phone if row.kepling else "", "gap": max(0, row.unit.target - row.unit.protected),
        }
        for row in kepling_rows(node, as_of)
    ]
    start = datetime.date.fromisoformat(str(settings.PROGRAM_START))
    return ReportData(
        node=node,
        as_of=as_of,
        summary=node_summary(node, as_of),
        units=[u.as_dict() for u in units_below(node, as_of)],
        kepling=kepling,
        series=progress_series(node, as_of, start) if as_of >= start else [],
        level_name=names.get(node.level, ""),
        child_level_name=names.get(node.level + 1, ""),
        head_title=head_title(node),
        place=place_of(node),
    )


def shows_full_nik(user: User | None) -> bool:
    return user is not None and shows_full_nik_in_reports(user)


def report_workers(user: User | None, node: Wilayah, as_of: datetime.date) -> QuerySet[Worker]:
    """The workers of the node registered by the date, as the user may see them, with their status."""
    base = workers_for(user) if user is not None else Worker.objects.all()
    scoped = base.filter(registered_on(as_of), **{LEVEL_KEYS[node.level]: node})
    return with_status(scoped.select_related("lingkungan"), as_of).order_by("lingkungan__kode", "nama", "id")


def report_worker_rows(user: User | None, node: Wilayah, as_of: datetime.date) -> Iterator[tuple[Any, ...]]:
    """The rows of the workers sheet, as plain values, in the order of `report_workers`."""
    base = workers_for(user) if user is not None else Worker.objects.all()
    scoped = base.filter(registered_on(as_of), **{LEVEL_KEYS[node.level]: node})
    scoped = scoped.order_by("lingkungan__kode", "nama", "id")
    fields = ("id", "nik_encrypted", "nik_masked", "nama", "lingkungan__kode", "jenis_kelamin", "pekerjaan",
              "tanggal_daftar")
    return scoped.values_list(*fields).iterator(chunk_size=5000)


def report_worker_count(user: User | None, node: Wilayah, as_of: datetime.date) -> int:
    """How many rows the workers sheet will have (what its progress is measured against)."""
    base = workers_for(user) if user is not None else Worker.objects.all()
    return base.filter(registered_on(as_of), **{LEVEL_KEYS[node.level]: node}).count()


def paid_month_counts(node: Wilayah, as_of: datetime.date) -> dict[int, tuple[int, int | None]]:
    """(paid months, latest paid month index) per worker of the node, read in one pass.

    The same figures as `with_status`, whose two correlated subqueries per worker took most of
    the city workbook's time (41,000 workers); `status_from` turns them into status and arrears.
    """
    counts: dict[int, tuple[int, int | None]] = {}
    months = WorkerMonth.objects.filter(covered_on(as_of), **{f"worker__{LEVEL_KEYS[node.level]}": node})
    for worker_id, index in months.values_list("worker_id", "periode_index").iterator(chunk_size=20000):
        paid, latest = counts.get(worker_id, (0, None))
        counts[worker_id] = (paid + 1, index if latest is None or index > latest else latest)
    return counts


# Shares of a build, as the builder reports them: the figures read, the small sheets written,
# then the workers sheet row by row, then the file compressed.
FIGURES_READ = 0.10
SMALL_SHEETS_WRITTEN = 0.15
WORKER_ROWS_WRITTEN = 0.85
PDF_LAID_OUT = 0.40
PROGRESS_EVERY_ROWS = 1000


def _no_progress(_done: float) -> None:
    return None


def workbook(user: User | None, data: ReportData, progress: Progress = _no_progress) -> bytes:
    """The Excel workbook: Ringkasan, Unit di bawah, Kepling, Pekerja."""
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    styles = {
        "bold": book.add_format({"bold": True, "bg_color": "#E6F2EC", "border": 1}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "whole": book.add_format({"num_format": "#,##0"}),
        "pct": book.add_format({"num_format": "0.00"}),
    }
    _summary_sheet(book.add_worksheet("Ringkasan"), data, styles)
    _units_sheet(book.add_worksheet("Unit di bawah"), [_("Code"), _("Name")], data.units, styles)
    _units_sheet(book.add_worksheet("Kepling"), [_("Code"), _("Lingkungan"), _("Kepling")], data.kepling, styles)
    progress(SMALL_SHEETS_WRITTEN)
    _workers_sheet(book.add_worksheet("Pekerja"), user, data, styles["bold"], progress)
    book.close()
    return buffer.getvalue()


def _summary_sheet(sheet: Any, data: ReportData, styles: dict[str, Any]) -> None:
    bold, title, whole, pct = styles["bold"], styles["title"], styles["whole"], styles["pct"]
    write_text(sheet, 0, 0, _("Empowering Kepling: program report"), title)
    write_text(sheet, 1, 0, f"{data.node.nama} ({data.node.kode})")
    write_text(sheet, 2, 0, _("As of %(date)s") % {"date": format_date(data.as_of)})
    for column, header in enumerate([_("Figure"), _("Value"), _("Key")]):
        write_text(sheet, 4, column, header, bold)
    for line, (key, label, kind) in enumerate(summary_lines(), start=5):
        write_text(sheet, line, 0, label)
        write_value(sheet, line, 1, data.summary.get(key), pct if kind == "pct" else whole)
        write_text(sheet, line, 2, key)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 26)


def _units_sheet(sheet: Any, lead: list[str], rows: list[dict[str, Any]], styles: dict[str, Any]) -> None:
    bold, whole, pct = styles["bold"], styles["whole"], styles["pct"]
    headers = [*lead, *unit_headers()]
    for column, header in enumerate(headers):
        write_text(sheet, 0, column, header, bold)
    for line, row in enumerate(rows, start=1):
        values = [row["kode"], row["nama"]] + ([row["kepling"]] if len(lead) == 3 else [])
        for column, value in enumerate(values):
            write_text(sheet, line, column, value)
        for offset, key in enumerate(UNIT_COLUMNS, start=len(lead)):
            write_value(sheet, line, offset, row[key], pct if key.endswith("_pct") else whole)
    sheet.freeze_panes(1, len(lead))
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, len(lead) - 1, 26)
    sheet.set_column(len(lead), len(headers) - 1, 12)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(headers) - 1)


def _workers_sheet(sheet: Any, user: User | None, data: ReportData, bold: Any, progress: Progress) -> None:
    headers = [
        _("NIK"), _("Name"), _("Lingkungan"), _("Sex"), _("Occupation"), _("Registration date"),
        _("Status"), _("Paid months"), _("Arrears months"),
    ]
    for column, header in enumerate(headers):
        write_text(sheet, 0, column, header, bold)
    full = shows_full_nik(user)
    labels = {s.value: str(STATUS_LABELS[s]) for s in Status}
    standings = paid_month_counts(data.node, data.as_of)
    total = max(1, report_worker_count(user, data.node, data.as_of))
    share = WORKER_ROWS_WRITTEN - SMALL_SHEETS_WRITTEN
    for line, worker in enumerate(report_worker_rows(user, data.node, data.as_of), start=1):
        if line % PROGRESS_EVERY_ROWS == 0:
            progress(SMALL_SHEETS_WRITTEN + share * min(1.0, line / total))
        pk, nik_encrypted, nik_masked, nama, lingkungan_kode, sex, occupation, registered = worker
        paid, latest = standings.get(pk, (0, None))
        status, arrears = status_from(paid, latest, data.as_of)
        values = [
            decrypt_text(nik_encrypted) if full else nik_masked, nama, lingkungan_kode, sex, occupation,
            registered.isoformat(), labels[status.value],
        ]
        for column, value in enumerate(values):
            write_text(sheet, line, column, value)
        write_value(sheet, line, 7, paid)
        write_value(sheet, line, 8, arrears)
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 8, 16)


def progress_svg(series: list[dict[str, Any]], width: int = 640, height: int = 220) -> str:
    """The protected-workers line against the target line, as inline SVG (no script, prints anywhere)."""
    if not series:
        return ""
    pad_left, pad_bottom, pad_top = 60, 28, 12
    top = max([1, *(p["target"] for p in series), *(p["protected"] for p in series)])
    plot_w, plot_h = width - pad_left - 10, height - pad_bottom - pad_top

    def xy(index: int, value: int) -> tuple[float, float]:
        x = pad_left + (plot_w * index / max(1, len(series) - 1))
        return round(x, 1), round(pad_top + plot_h * (1 - value / top), 1)

    protected = " ".join(f"{x},{y}" for x, y in (xy(i, p["protected"]) for i, p in enumerate(series)))
    target = " ".join(f"{x},{y}" for x, y in (xy(i, p["target"]) for i, p in enumerate(series)))
    labels = []
    for i, point in enumerate(series):
        x, _y = xy(i, 0)
        day = datetime.date.fromisoformat(point["as_of"])
        labels.append(
            f'<text x="{x}" y="{height - 8}" font-size="9" text-anchor="middle">{day.day}/{day.month}</text>'
        )
    axis = [
        f'<text x="{pad_left - 6}" y="{pad_top + 4}" font-size="9" text-anchor="end">{format_number(top)}</text>',
        f'<text x="{pad_left - 6}" y="{pad_top + plot_h}" font-size="9" text-anchor="end">0</text>',
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - 10}" y2="{pad_top + plot_h}" stroke="#999"/>',
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{_("Protected workers against the target")}">'
        + "".join(axis)
        + f'<polyline points="{target}" fill="none" stroke="#b35c00" stroke-width="2" stroke-dasharray="6 4"/>'
        + f'<polyline points="{protected}" fill="none" stroke="#0b5d3b" stroke-width="3"/>'
        + "".join(labels)
        + "</svg>"
    )


def pdf_context(data: ReportData) -> dict[str, Any]:
    """What the PDF template shows: figures, chart, tables and the call list of Kepling below target."""
    kepling_rows_shown = data.kepling if len(data.kepling) <= PDF_KEPLING_MAX else []
    # The meeting's call list: Kepling below target, furthest behind first, with their phone numbers.
    behind = sorted((k for k in data.kepling if k["below_target"]), key=lambda k: (-k["gap"], k["kode"]))
    return {
        "data": data,
        "s": data.summary,
        "chart": progress_svg(data.series),
        "kepling": kepling_rows_shown,
        "kepling_in_workbook": len(data.kepling) > PDF_KEPLING_MAX,
        "behind": behind[:PDF_KEPLING_MAX],
        "behind_more": max(0, len(behind) - PDF_KEPLING_MAX),
        "date_text": format_date(data.as_of),
        "progress_text": format_percent(data.summary["progress_pct"]),
        "coverage_text": format_percent(data.summary["coverage_pct"]),
    }


def pdf(data: ReportData, progress: Progress = _no_progress) -> bytes:
    """The PDF for meetings: headline figures, the chart, the tables and a signature block."""
    from weasyprint import HTML

    html = render_to_string("reports/report_pdf.html", pdf_context(data))
    document = HTML(string=html).render()
    progress(PDF_LAID_OUT)
    return bytes(document.write_pdf())


def export(
    user: User | None, node: Wilayah, as_of: datetime.date, fmt: str, progress: Progress = _no_progress
) -> tuple[bytes, str]:
    """The report file and its name; the export is audited. `progress` hears the share of the work done."""
    if fmt not in FORMATS:
        raise ValueError(_("The format must be xlsx or pdf."))
    data = collect(node, as_of)
    progress(FIGURES_READ)
    content = workbook(user, data, progress) if fmt == "xlsx" else pdf(data, progress)
    progress(1.0)
    audit.record(
        actor=user,
        action="report_exported",
        object_type="wilayah",
        object_id=node.kode,
        new={"node": node.kode, "date": as_of, "format": fmt, "full_nik": fmt == "xlsx" and shows_full_nik(user)},
    )
    return content, f"laporan-{node.kode}-{as_of.isoformat()}.{fmt}"
