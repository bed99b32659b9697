"""`kepling import_workers` on the messy files users really send."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command

from kepling.accounts.models import User
from kepling.core.models import AuditLog
from kepling.regions.models import StaleSummary
from kepling.testing import City
from kepling.workers.bulk import register_workers_bulk
from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker
from kepling.workers.tests.builders import make_nik, worker_input

HEADER = (
    "NIK; Nama ;Jenis Kelamin;TANGGAL_LAHIR;No HP;Kode Lingkungan;Pekerjaan;Sektor;"
    "Penghasilan;Program;Sumber Iuran;Tanggal Daftar;Catatan"
)
BORN = datetime.date(1990, 4, 12)


def nik(serial: int, born: datetime.date = BORN) -> str:
    return make_nik(born, serial=serial)


def line(serial: int, **overrides: str) -> str:
    values = {
        "nik": nik(serial),
        "nama": f"Pekerja {serial}",
        "jk": "L",
        "lahir": "12/04/1990",
        "hp": "0812-3456-78" + f"{serial:02d}",
        "kode": "12.71.01.1001.01",
        "kerja": "Pedagang",
        "sektor": "lainnya",
        "gaji": "Rp 1.000.000",
        "program": "JKK-JKM",
        "sumber": "mandiri",
        "daftar": "02/06/2025",
        "catatan": "extra column, ignored",
    }
    values.update(overrides)
    return ";".join(values.values())


def run(*args: str) -> tuple[dict[str, Any], str]:
    out = StringIO()
    call_command("import_workers", *args, "--json", stdout=out)
    return json.loads(out.getvalue()), out.getvalue()


@pytest.fixture
def messy_csv(tmp_path: Path, city: City) -> Path:
    rows = [
        HEADER,  # row 1
        line(1),  # row 2: good
        "",  # row 3: blank
        line(2, nik="12710112049"),  # row 4: NIK too short
        line(3, hp="12345"),  # row 5: bad phone
        line(4, lahir="31/02/1990"),  # row 6: impossible date
        line(5, gaji="Rp 500.000", kode="99.99"),  # row 7: two problems
        line(1, nama="Pekerja Satu Lagi"),  # row 8: NIK already in row 2
        ";;;;;;;;;;;;",  # row 9: empty cells only
        line(6, daftar="2025-07-01", gaji="20700000"),  # row 10: good, ISO date
        line(7, hp="+6281299990007", nik="3171011204900007"),  # row 11: good, non-Medan NIK
    ]
    path = tmp_path / "pekerja.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    return path


def test_a_messy_csv_applies_the_good_rows_and_locates_every_bad_one(messy_csv: Path) -> None:
    result, _ = run(str(messy_csv))
    assert (result["rows"], result["applied"], result["already_present"], result["rejected"]) == (8, 3, 0, 5)
    located = {(e["row"], e["column"]) for e in result["errors"]}
    assert located == {
        (4, "nik"),
        (5, "no_hp"),
        (6, "tanggal_lahir"),
        (7, "penghasilan"),
        (7, "kode_lingkungan"),
        (8, "nik"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert messages[(4, "nik")] == "NIK must be 16 digits; this one has 11."
    assert messages[(6, "tanggal_lahir")] == (
        "tanggal_lahir '31/02/1990' is not a date; write YYYY-MM-DD or DD/MM/YYYY."
    )
    assert messages[(8, "nik")] == "This NIK is already in row 2 of this file."
    assert Worker.objects.count() == 3
    good = Worker.objects.get(nama="Pekerja 1")
    assert (good.penghasilan, good.tanggal_lahir, good.no_hp) == (1_000_000, BORN, "+6281234567801")
    assert not StaleSummary.objects.exists()  # the command returns with the stored figures brought up to date
    entries = AuditLog.objects.filter(action="worker_registered")
    assert entries.count() == 3
    assert {e.new_values["nik_masked"] for e in entries} == {w.nik_masked for w in Worker.objects.all()}
    assert all(e.at is not None and e.object_id for e in entries)
    assert nik(1) not in json.dumps([e.new_values for e in entries])


def test_importing_the_same_file_again_changes_nothing(messy_csv: Path) -> None:
    run(str(messy_csv))
    audit_count = AuditLog.objects.count()
    result, _ = run(str(messy_csv))
    assert (result["applied"], result["already_present"], result["rejected"]) == (0, 3, 5)
    assert Worker.objects.count() == 3
    assert AuditLog.objects.count() == audit_count


def test_dry_run_reports_but_writes_nothing(messy_csv: Path) -> None:
    audit_count = AuditLog.objects.count()
    result, _ = run(str(messy_csv), "--dry-run")
    assert (result["applied"], result["rejected"], result["dry_run"]) == (3, 5, True)
    assert not Worker.objects.exists()
    assert not StaleSummary.objects.exists()
    assert AuditLog.objects.count() == audit_count


def test_the_plain_report_lists_counts_and_located_errors(messy_csv: Path) -> None:
    out = StringIO()
    call_command("import_workers", str(messy_csv), stdout=out)
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[:4] == ["rows: 8", "applied: 3", "already_present: 0", "rejected: 5"]  # as every import
    assert "row 8, nik: This NIK is already in row 2 of this file." in text


def test_an_xlsx_file_with_real_dates_and_numbers_is_read(tmp_path: Path, city: City) -> None:
    path = tmp_path / "pekerja.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    header = [
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
        "kepling",
    ]
    sheet.write_row(0, 0, header)
    born = datetime.datetime(1988, 1, 30)
    sheet.write_row(1, 0, [int(make_nik(born.date(), "P")), "Siti Aminah", "P"])
    sheet.write_datetime(1, 3, born, date_format)
    sheet.write_row(1, 4, [81234567811, "12.71.01.1001.02", "Penjahit", "lainnya", 1500000, "JKK-JKM-JHT", "donatur"])
    sheet.write_datetime(1, 11, datetime.datetime(2025, 8, 1), date_format)
    sheet.write_row(
        2,
        0,
        [
            nik(2),
            "Tanpa Program",
            "L",
            "1990-04-12",
            "",
            "12.71.01.1001.02",
            "Tukang",
            "lainnya",
            "1000000",
            "",
            "mandiri",
            "2025-08-01",
        ],
    )
    book.close()
    result, _ = run(str(path))
    assert (result["rows"], result["applied"], result["rejected"]) == (2, 1, 1)
    assert result["errors"] == [
        {"row": 3, "column": "program", "message": "program must be one of: JKK-JKM, JKK-JKM-JHT."}
    ]
    worker = Worker.objects.get()
    assert (worker.nama, worker.tanggal_lahir, worker.no_hp, worker.program) == (
        "Siti Aminah",
        datetime.date(1988, 1, 30),
        "+6281234567811",
        "JKK-JKM-JHT",
    )


def test_a_file_without_the_required_columns_is_refused_with_what_to_fix(tmp_path: Path, city: City) -> None:
    path = tmp_path / "salah.csv"
    path.write_text("nik,nama,telepon\n1271011204900001,Budi,0812\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Missing column"):
        call_command("import_workers", str(path))
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_workers", str(tmp_path / "tidak-ada.csv"))
    assert not Worker.objects.exists()


def test_an_unknown_by_account_is_refused(messy_csv: Path) -> None:
    with pytest.raises(CommandError, match="No active account"):
        call_command("import_workers", str(messy_csv), "--by", "nobody")


def test_an_import_by_a_kepling_is_limited_to_their_lingkungan(messy_csv: Path, other_kepling: User) -> None:
    result, _ = run(str(messy_csv), "--by", "kepling-b")
    assert result["applied"] == 0
    assert {e["column"] for e in result["errors"]} >= {"kode_lingkungan"}


def test_a_nik_registered_elsewhere_opens_a_conflict_not_a_second_worker(
    tmp_path: Path, kepling_user: User, other_kepling: User
) -> None:
    from kepling.workers.actions import register_worker

    register_worker(by=kepling_user, data=worker_input(nik=nik(1)), consent_given=True)
    path = tmp_path / "b.csv"
    path.write_text(HEADER + "\n" + line(1, kode="12.71.01.1001.02") + "\n", encoding="utf-8")
    result, _ = run(str(path), "--by", "kepling-b")
    assert (result["applied"], result["already_present"], result["conflicts"], result["conflicts_opened"]) == (
        0,
        1,
        1,
        1,
    )
    assert result["warnings"][0]["row"] == 2
    assert Worker.objects.get().credited_kepling == kepling_user
    again, _ = run(str(path), "--by", "kepling-b")
    assert again["conflicts_opened"] == 0
    assert AttributionConflict.objects.count() == 1


def test_likely_duplicates_within_a_file_are_flagged(tmp_path: Path, city: City) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\n" + line(1, nama="Ani") + "\n" + line(2, nama="ANI ") + "\n", encoding="utf-8")
    result, _ = run(str(path))
    assert (result["applied"], result["likely_duplicates"]) == (2, 1)
    item = LikelyDuplicate.objects.get()
    assert (item.worker.nik_masked, item.other.nik_masked) == ("1271********0002", "1271********0001")


def test_a_large_batch_costs_a_bounded_number_of_queries(city: City, django_assert_max_num_queries: Any) -> None:
    rows = [worker_input(serial=i, nama=f"Pekerja {i}", no_hp="") for i in range(1, 2501)]
    # Multi-row inserts: SQLite's parameter cap splits them into more statements than
    # PostgreSQL needs, but never one per row.
    with django_assert_max_num_queries(250):
        outcome = register_workers_bulk(by=None, rows=rows, consent_given=True)
    assert outcome.count("registered") == 2500
    assert AuditLog.objects.filter(action="worker_registered").count() == 2500
