"""Lists leave the screen: CSV and XLSX with the screen's rows in its order, scoped, masked, inert, audited."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from kepling.accounts.models import User
from kepling.core.models import AuditLog
from kepling.dashboards.tests.builders import paying_worker
from kepling.regions.models import KeplingTerm
from kepling.testing import City, make_user, make_worker
from kepling.workers.models import Worker

AS_OF = "2025-10-29"
MONTHS = ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[Any]]:  # type: ignore[no-untyped-def]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


@pytest.fixture
def area(city: City) -> None:
    """Kelurahan 12.71.01.1001: lingkungan .01 ahead, .02 and .03 behind by different amounts; .02 has a Kepling."""
    for _ in range(3):
        paying_worker(city.lingkungan[0], MONTHS)
    paying_worker(city.lingkungan[1], MONTHS[:1], nama="=HYPERLINK(\"http://x\")")
    make_worker(city.lingkungan[1], nama="Belum Bayar")
    kepling = make_user("kepling-02", "kepling", city.lingkungan[1], phone="+6281200000002", first_name="Ani")
    KeplingTerm.objects.create(kepling=kepling, lingkungan=city.lingkungan[1], start=datetime.date(2025, 1, 1))
    paying_worker(city.node("12.71.02.1001.01"), MONTHS)  # another kecamatan


def screen_behind(client: Client) -> list[str]:
    page = client.get(f"/dasbor/kepling/?per={AS_OF}")
    return [item["row"].lingkungan.kode for item in page.context["rows"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_behind_target_downloads_the_screens_rows_in_order_with_phones(lurah: User, area: None, fmt: str) -> None:
    client = signed_in(lurah)
    shown = screen_behind(client)
    response = client.get(f"/dasbor/kepling/?per={AS_OF}&unduh={fmt}")
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert [str(r[0]) for r in rows[1:]] == shown
    assert "+6281200000002" in {str(r[4]) for r in rows[1:]}
    assert not any(str(r[0]).startswith("12.71.02") for r in rows[1:])
    assert AuditLog.objects.filter(action="list_exported", actor=lurah, object_id="kepling-di-bawah-target").exists()


def test_a_worker_list_is_masked_and_never_a_formula(lurah: User, area: None, city: City) -> None:
    response = signed_in(lurah).get(f"/dasbor/{city.lingkungan[1].kode}/?per={AS_OF}&unduh=csv")
    rows = csv_rows(response)
    names = [r[0] for r in rows[1:]]
    assert names == sorted(names, key=str)  # the screen's order: by name
    assert "'=HYPERLINK(\"http://x\")" in names
    niks = {r[1] for r in rows[1:]}
    assert all("*" in nik for nik in niks)
    worker = Worker.objects.filter(lingkungan=city.lingkungan[1]).first()
    assert worker is not None and worker.nik_masked in niks


def test_units_ranking_queue_and_audit_lists_download(admin_kota: User, area: None) -> None:
    client = signed_in(admin_kota)
    units = csv_rows(client.get(f"/dasbor/?per={AS_OF}&urut=-terlindungi&unduh=csv"))
    protected = [int(r[6]) for r in units[1:]]
    assert protected == sorted(protected, reverse=True) and len(units) > 2
    ranking = xlsx_rows(client.get(f"/dasbor/peringkat/?tab=kelurahan&per={AS_OF}&unduh=xlsx"))
    assert [row[0] for row in ranking[1:]] == sorted(row[0] for row in ranking[1:])
    assert client.get("/rekonsiliasi/?unduh=csv").status_code == 200
    audit = csv_rows(client.get("/audit/?unduh=csv"))
    assert any(row[3] == "list_exported" for row in audit[1:])  # time, user, sentence, action


def test_a_kepling_cannot_download_an_area_list(kepling_user: User, area: None) -> None:
    assert signed_in(kepling_user).get(f"/dasbor/kepling/?per={AS_OF}&unduh=csv").status_code in {302, 403, 404}
