"""`kepling import_payments`: every bad row named with its message, good rows applied, nothing twice."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kepling.contributions.models import Payment
from kepling.contributions.status import Status, standing
from kepling.testing import make_worker

NIK = "1271011505900001"
HEADER = "nik;kpj;periode;jumlah;tanggal_bayar;referensi"


def run(path, *extra):
    out = StringIO()
    with translation.override("en"):
        call_command("import_payments", str(path), "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def worker(city):
    return make_worker(city.lingkungan[0], nik=NIK, registered="2025-06-02")


def write(tmp_path, *lines, name="extract.csv"):
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_bad_rows_are_named_and_good_rows_apply(worker, tmp_path):
    path = write(
        tmp_path,
        f"{NIK};12345678901;2025-06;Rp 16.800;05/06/2025;REF-1",  # row 2: good
        f"{NIK};;2025-07;16800;2025-07-05;REF-2",  # row 3: good, no KPJ
        "",  # row 4: blank, skipped but counted
        "12710115059000;;2025-07;16800;2025-07-05;REF-3",  # row 5: short NIK
        f"{NIK};;2025-13;16800;2025-07-05;REF-4",  # row 6: bad month
        f"{NIK};;2025-08;-5;2025-08-05;REF-5",  # row 7: bad amount
        f"{NIK};;2025-08;16800;2099-01-01;REF-6",  # row 8: future payment date
        f"{NIK};;2025-08;16800;2025-08-05;REF-1",  # row 9: reference repeated in the file
        f"{NIK};;2025-09;16800;2025-09-05;",  # row 10: no reference
        "1271019999990001;;2025-06;16800;2025-06-05;REF-7",  # row 11: unknown NIK, kept
    )
    result = run(path)
    assert (result["rows"], result["applied"], result["already_present"], result["rejected"]) == (9, 3, 0, 6)
    problems = {(e["row"], e["column"]) for e in result["errors"]}
    assert problems == {
        (5, "nik"),
        (6, "periode"),
        (7, "jumlah"),
        (8, "tanggal_bayar"),
        (9, "referensi"),
        (10, "referensi"),
    }
    assert "row 2" in next(e["message"] for e in result["errors"] if e["row"] == 9)
    unknown = Payment.objects.get(referensi="REF-7")
    assert unknown.worker is None and unknown.nik_masked == "1271********0001"
    assert standing(worker, datetime.date(2025, 7, 20)).status == Status.ACTIVE


def test_the_same_file_twice_changes_nothing(worker, tmp_path):
    path = write(tmp_path, f"{NIK};;2025-06;16800;2025-06-05;REF-1")
    assert run(path)["applied"] == 1
    again = run(path)
    assert (again["applied"], again["already_present"], again["rejected"]) == (0, 1, 0)
    assert Payment.objects.count() == 1


def test_a_reference_reused_for_another_payment_is_rejected(worker, tmp_path):
    run(write(tmp_path, f"{NIK};;2025-06;16800;2025-06-05;REF-1"))
    changed = run(write(tmp_path, f"{NIK};;2025-06;20000;2025-06-05;REF-1", name="other.csv"))
    assert changed["rejected"] == 1 and changed["errors"][0]["column"] == "referensi"
    assert Payment.objects.get().jumlah == 16_800


def test_underpaid_month_stays_unpaid(worker, tmp_path):
    run(write(tmp_path, f"{NIK};;2025-06;10000;2025-06-05;REF-1"))
    assert standing(worker, datetime.date(2025, 6, 20)).status == Status.NEVER_PAID


def test_dry_run_writes_nothing(worker, tmp_path):
    result = run(write(tmp_path, f"{NIK};;2025-06;16800;2025-06-05;REF-1"), "--dry-run")
    assert result["applied"] == 1
    assert not Payment.objects.exists()


def test_unusable_files_fail_with_what_to_fix(db, tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("nik,bulan,nominal\n1,2,3\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="Missing column"):
        call_command("import_payments", str(wrong), stdout=StringIO())
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (HEADER.replace(";", ",") + "\n" + "1271011505900001,,2025-06,16800,2025-06-05,Réf\n").encode("latin-1")
    )
    with translation.override("en"), pytest.raises(CommandError, match="UTF-8"):
        call_command("import_payments", str(latin), stdout=StringIO())
    with translation.override("en"), pytest.raises(CommandError, match="not found"):
        call_command("import_payments", str(tmp_path / "missing.csv"), stdout=StringIO())
