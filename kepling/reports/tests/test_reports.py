"""Reports: the dashboard's numbers in Excel and PDF, scoped, masked, formula-safe and audited."""

from __future__ import annotations

import datetime
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from python_calamine import CalamineWorkbook

from kepling.contributions.ledger import record_payment
from kepling.core.models import AuditLog
from kepling.dashboards.queries import units_below
from kepling.reports.builder import collect, head_title, place_of, progress_svg
from kepling.testing import make_worker

pytestmark = pytest.mark.django_db
AS_OF = "2025-10-29"


def pay(worker, months, amount=16800):
    for month in months:
        record_payment(
            by=None, worker=worker, periode=datetime.date(2025, month, 1), jumlah=amount,
            tanggal_bayar=datetime.date(2025, month, 10), referensi=f"R-{worker.pk}-{month}",
        )


@pytest.fixture
def program(city):
    workers = []
    for index, lingkungan in enumerate(city.lingkungan):
        for serial in range(index % 3 + 1):
            worker = make_worker(lingkungan, nama=f"Warga {index}-{serial}")
            pay(worker, [(6, 7, 8, 9, 10), (10,), (5,)][serial])
            workers.append(worker)
    make_worker(city.lingkungan[0], nama="=cmd|' /C calc'!A0", nik="1271014101900099")
    return workers


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def summary_json(kode: str) -> dict:
    out = StringIO()
    call_command("summary", "--wilayah", kode, "--as-of", AS_OF, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("kode", ["12.71", "12.71.01", "12.71.01.1001", "12.71.01.1001.01"])
def test_workbook_figures_equal_the_summary_command(program, kode, tmp_path):
    out = tmp_path / "r.xlsx"
    args = ["--wilayah", kode, "--as-of", AS_OF, "--format", "xlsx", "--out", str(out)]
    call_command("report", *args, stdout=StringIO())

    book = sheets(out.read_bytes())
    expected = summary_json(kode)

    assert list(book) == ["Ringkasan", "Unit di bawah", "Kepling", "Pekerja"]
    figures = {row[2]: row[1] for row in book["Ringkasan"][5:] if row[2]}
    for key, value in figures.items():
        assert (value if value != "" else None) == expected[key], key
    assert len(figures) == 17  # the contract's figures, kepling_shortfall included
    from kepling.regions.models import Wilayah

    node = Wilayah.objects.get(kode=kode)
    units = {row[0]: row for row in book["Unit di bawah"][1:]}
    for unit in units_below(node, datetime.date.fromisoformat(AS_OF)):
        assert units[unit.node.kode][4] == unit.protected and units[unit.node.kode][2] == unit.target
    kepling_total = sum(row[5] for row in book["Kepling"][1:])
    assert kepling_total == expected["protected"]
    assert len(book["Pekerja"]) - 1 == expected["registered"]


def test_nik_is_masked_except_for_the_city_administrator_and_formulas_are_inert(program, admin_kota, lurah):
    url = f"/laporan/12.71.01.1001/?per={AS_OF}&format=xlsx"
    masked = sheets(client_for(lurah).get(url).content)["Pekerja"]
    full = sheets(client_for(admin_kota).get(url).content)["Pekerja"]

    assert all("*" in row[0] for row in masked[1:])
    assert all(row[0].isdigit() and len(row[0]) == 16 for row in full[1:])
    names = [row[1] for row in masked[1:]]
    assert "'=cmd|' /C calc'!A0" in names


def test_every_export_is_audited_with_node_date_and_format(program, camat):
    client = client_for(camat)
    response = client.get(f"/laporan/12.71.01/?per={AS_OF}&format=pdf")

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="laporan-12.71.01-{AS_OF}.pdf"'
    client.get(f"/laporan/12.71.01/?per={AS_OF}&format=xlsx")
    entries = AuditLog.objects.filter(action="report_exported", actor=camat).order_by("id")
    assert [(e.new_values["node"], e.new_values["date"], e.new_values["format"]) for e in entries] == [
        ("12.71.01", AS_OF, "pdf"),
        ("12.71.01", AS_OF, "xlsx"),
    ]


def test_report_pages_are_scoped(program, kepling_user, lurah):
    assert client_for(kepling_user).get(f"/laporan/12.71.02/?per={AS_OF}&format=xlsx").status_code == 404
    assert client_for(lurah).get(f"/laporan/12.71.01/?per={AS_OF}&format=xlsx").status_code == 404
    assert client_for(lurah).get("/laporan/12.71.01.1001/?per=29-10-2025").status_code == 400
    assert client_for(lurah).get("/laporan/").status_code == 200
    redirect = client_for(lurah).get("/laporan/", {"wilayah": "12.71.01.1001", "per": AS_OF, "format": "pdf"})
    assert redirect.status_code == 302 and redirect["Location"].startswith("/laporan/12.71.01.1001/?")
    assert not AuditLog.objects.filter(action="report_exported").exists()


def test_pdf_content_signature_and_chart(program, city):
    data = collect(city.kecamatan[0], datetime.date.fromisoformat(AS_OF))
    assert head_title(city.kecamatan[0]) == "Camat Kecamatan 1"
    assert head_title(city.kota) == "Wali Kota Medan"
    assert place_of(city.lingkungan[0]) == "Medan"
    svg = progress_svg(data.series)
    assert svg.startswith("<svg") and "polyline" in svg
    from django.template.loader import render_to_string

    html = render_to_string("reports/report_pdf.html", {"data": data, "s": data.summary, "chart": svg,
                                                         "kepling": data.kepling, "date_text": "29 Oktober 2025"})
    assert "Acknowledged by," in html and "Camat Kecamatan 1" in html and "Medan, 29 Oktober 2025" in html
