import pytest
from django.core.management import CommandError

from kepling.core.models import AuditLog
from kepling.regions.imports import import_lingkungan
from kepling.regions.models import LINGKUNGAN, TargetChange, Wilayah
from kepling.regions.tests.conftest import errors_by_row, run_json, run_text, write_csv, write_xlsx

HEADER = ["kode", "nama", "target"]


def lingkungan_codes():
    return sorted(Wilayah.objects.filter(level=LINGKUNGAN).values_list("kode", flat=True))


def test_creates_lingkungan_with_default_target_and_history(city, tmp_path):
    path = write_csv(
        tmp_path / "lingkungan.csv",
        HEADER,
        [
            ["12.71.01.1001.03", "Lingkungan III", ""],
            ["12.71.01.1001.04", "Lingkungan IV", "30"],
        ],
    )
    result = run_json("import_lingkungan", str(path))
    assert (result["rows"], result["applied"], result["rejected"]) == (2, 2, 0)
    third = Wilayah.objects.get(kode="12.71.01.1001.03")
    assert third.target == 25 and third.kelurahan == city.kelurahan[0]
    assert third.kecamatan == city.kecamatan[0] and third.lingkungan == third
    change = TargetChange.objects.get(wilayah__kode="12.71.01.1001.04")
    assert (change.old_target, change.new_target, change.reason) == (None, 30, "import lingkungan.csv")
    assert AuditLog.objects.filter(action="wilayah_created", object_id="12.71.01.1001.04").exists()


def test_second_run_changes_nothing(city, tmp_path):
    path = write_csv(tmp_path / "l.csv", HEADER, [["12.71.01.1001.03", "Lingkungan III", "25"]])
    run_json("import_lingkungan", str(path))
    audit_rows, history = AuditLog.objects.count(), TargetChange.objects.count()
    result = run_json("import_lingkungan", str(path))
    assert (result["applied"], result["already_present"]) == (0, 1)
    assert (AuditLog.objects.count(), TargetChange.objects.count()) == (audit_rows, history)


def test_existing_lingkungan_identical_row_is_already_present(city, tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        HEADER,
        [["12.71.01.1001.01", "Lingkungan I", "25"], ["12.71.01.1001.02", "Lingkungan II", ""]],
    )
    result = run_json("import_lingkungan", str(path))
    assert (result["applied"], result["already_present"]) == (0, 2)


def test_updates_name_and_target_through_target_history(city, admin_kota, tmp_path):
    path = write_csv(tmp_path / "targets.csv", HEADER, [["12.71.01.1001.01", "Lingkungan I Baru", "40"]])
    result = import_lingkungan(path, by=admin_kota)
    assert (result.applied, result.already_present) == (1, 0)
    node = Wilayah.objects.get(kode="12.71.01.1001.01")
    assert (node.nama, node.target) == ("Lingkungan I Baru", 40)
    change = TargetChange.objects.filter(wilayah=node).first()
    assert (change.old_target, change.new_target) == (25, 40)
    assert change.changed_by == admin_kota and change.changed_at is not None
    assert change.reason == "import targets.csv"
    entry = AuditLog.objects.filter(action="target_changed", object_id=node.kode).first()
    assert entry.actor == admin_kota and entry.old_values == {"target": 25}
    assert entry.new_values == {"target": 40} and entry.note == "import targets.csv"
    assert AuditLog.objects.get(action="wilayah_updated", object_id=node.kode).actor == admin_kota


def test_bad_rows_rejected_with_row_and_column_good_rows_apply(city, tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        HEADER,
        [
            ["12.71.01.1001.03", "Lingkungan III", "25"],  # 2 ok
            ["12.71.01.1001.3", "Bad code", ""],  # 3 malformed
            ["12.71.01.9999.01", "No kelurahan", ""],  # 4 unknown kelurahan
            ["12.71.01.05", "Under a kecamatan", ""],  # 5 parent is a kecamatan
            ["12.71.01.1001.03", "Duplicate", ""],  # 6 duplicate of row 2
            ["12.71.01.1002.03", "Negative", "-1"],  # 7 negative target
            ["12.71.01.1002.04", "Words", "dua puluh"],  # 8 not a number
            ["12.71.01.1002.05", "", "25"],  # 9 no name
            ["12.71.02.1001.03", "Lingkungan III", "0"],  # 10 ok, zero target allowed
        ],
    )
    result = run_json("import_lingkungan", str(path))
    assert (result["rows"], result["applied"], result["rejected"]) == (9, 2, 7)
    errors = errors_by_row(result)
    assert {row: [c for c, _ in problems] for row, problems in errors.items()} == {
        3: ["kode"],
        4: ["kode"],
        5: ["kode"],
        6: ["kode"],
        7: ["target"],
        8: ["target"],
        9: ["nama"],
    }
    assert "12.71.01.1001.3" in errors[3][0][1] and "two digits" in errors[3][0][1]
    assert "12.71.01.9999" in errors[4][0][1]
    assert "Kecamatan" in errors[5][0][1] and "Kelurahan" in errors[5][0][1]
    assert "row 2" in errors[6][0][1]
    assert "negative" in errors[7][0][1] and "whole number" in errors[8][0][1]
    assert lingkungan_codes() == sorted(
        [node.kode for node in city.lingkungan] + ["12.71.01.1001.03", "12.71.02.1001.03"]
    )
    assert Wilayah.objects.get(kode="12.71.01.1001.03").nama == "Lingkungan III"


def test_dry_run_counts_but_changes_nothing(city, tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        HEADER,
        [["12.71.01.1001.03", "Lingkungan III", ""], ["12.71.01.1001.01", "Lingkungan I", "30"], ["bad", "x", ""]],
    )
    before = (Wilayah.objects.count(), AuditLog.objects.count(), TargetChange.objects.count())
    result = run_json("import_lingkungan", str(path), "--dry-run")
    assert (result["applied"], result["rejected"], result["dry_run"]) == (2, 1, True)
    assert (Wilayah.objects.count(), AuditLog.objects.count(), TargetChange.objects.count()) == before
    assert Wilayah.objects.get(kode="12.71.01.1001.01").target == 25
    assert "Dry run" in run_text("import_lingkungan", str(path), "--dry-run")


def test_semicolon_bom_messy_headers_and_xlsx(city, tmp_path):
    csv_path = write_csv(
        tmp_path / "l.csv",
        ["Kode ", " NAMA", "Target"],
        [
            ["12.71.01.1001.03", "Lingkungan III", "1.000"],
        ],
        delimiter=";",
        bom=True,
    )
    assert run_json("import_lingkungan", str(csv_path))["applied"] == 1
    assert Wilayah.objects.get(kode="12.71.01.1001.03").target == 1000
    xlsx_path = write_xlsx(
        tmp_path / "l.xlsx",
        ["KODE", "Nama", "TARGET"],
        [
            ["12.71.01.1001.04", "Lingkungan IV", 27],
            ["12.71.01.1001.05", "Lingkungan V", None],
        ],
    )
    result = run_json("import_lingkungan", str(xlsx_path))
    assert (result["applied"], result["rejected"]) == (2, 0)
    assert Wilayah.objects.get(kode="12.71.01.1001.04").target == 27
    assert Wilayah.objects.get(kode="12.71.01.1001.05").target == 25


def test_file_without_kode_column_fails_saying_what_to_fix(city, tmp_path):
    path = write_csv(tmp_path / "l.csv", ["code", "nama"], [["12.71.01.1001.03", "x"]])
    with pytest.raises(CommandError, match="Missing column"):
        run_json("import_lingkungan", str(path))
    with pytest.raises(CommandError, match="not found"):
        run_json("import_lingkungan", str(tmp_path / "missing.csv"))
    assert not Wilayah.objects.filter(kode="12.71.01.1001.03").exists()
