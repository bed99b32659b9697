import pytest
from django.core.management import CommandError

from kepling.core.models import AuditLog
from kepling.regions.models import KECAMATAN, KELURAHAN, KOTA, LevelName, Wilayah
from kepling.regions.tests.conftest import errors_by_row, run_json, run_text, write_csv, write_xlsx

HEADER = ["kode", "tingkat", "nama", "kode_induk", "kode_pos"]
pytestmark = pytest.mark.django_db


def test_level_names_are_seeded_as_data():
    rows = list(LevelName.objects.values_list("level", "key", "name", "head_title"))
    assert rows == [
        (0, "kota", "Kota", "Wali Kota"),
        (1, "kecamatan", "Kecamatan", "Camat"),
        (2, "kelurahan", "Kelurahan", "Lurah"),
        (3, "lingkungan", "Lingkungan", "Kepala Lingkungan"),
    ]


def test_bundled_file_loads_kota_medan():
    result = run_json("load_wilayah")
    assert result == {"rows": 173, "applied": 173, "already_present": 0, "rejected": 0, "errors": [], "warnings": []}
    assert Wilayah.objects.filter(level=KOTA).count() == 1
    assert Wilayah.objects.filter(level=KECAMATAN).count() == 21
    assert Wilayah.objects.filter(level=KELURAHAN).count() == 151
    pasar_baru = Wilayah.objects.get(kode="12.71.01.1001")
    city = Wilayah.objects.get(kode="12.71")
    assert city.parent is None
    assert pasar_baru.kota == city and pasar_baru.kecamatan.kode == "12.71.01"
    assert pasar_baru.kelurahan == pasar_baru and pasar_baru.kode_pos
    assert AuditLog.objects.filter(action="wilayah_created").count() == 173


def test_second_run_changes_nothing():
    run_json("load_wilayah")
    audit_rows = AuditLog.objects.count()
    result = run_json("load_wilayah")
    assert (result["applied"], result["already_present"], result["rejected"]) == (0, 173, 0)
    assert AuditLog.objects.count() == audit_rows


def test_text_output_lists_counts():
    output = run_text("load_wilayah")
    assert "rows: 173" in output and "applied: 173" in output and "rejected: 0" in output


def test_bad_rows_are_rejected_with_row_and_column_good_rows_apply(tmp_path):
    path = write_csv(
        tmp_path / "w.csv",
        HEADER,
        [
            ["12.71", "kota", "Kota Medan", "12", ""],  # 2 ok
            ["12.71.01", "kecamatan", "Medan Kota", "12.71", ""],  # 3 ok
            ["12.71.01.1001", "kelurahan", "Pasar Baru", "12.71.01", "20211"],  # 4 ok
            ["12.71.09.1001", "kelurahan", "Orphan", "12.71.09", ""],  # 5 unknown parent
            ["12.71.1", "kecamatan", "Bad code", "12.71", ""],  # 6 malformed code
            ["12.71.02", "kelurahan", "Wrong level", "12.71", ""],  # 7 wrong tingkat
            ["12.71.01", "kecamatan", "Medan Kota again", "12.71", ""],  # 8 duplicate
            ["12.71.03", "desa", "Unknown level", "12.71", ""],  # 9 unknown tingkat
            ["12.71.01.1002", "kelurahan", "", "12.71.01", ""],  # 10 empty name
            ["12.71.01.1003", "kelurahan", "Wrong parent", "12.71.02", ""],  # 11 prefix mismatch
            ["12.71.01.1004", "kelurahan", "Under the city", "12.71", ""],  # 12 parent not kecamatan
        ],
    )
    result = run_json("load_wilayah", "--file", str(path))
    assert (result["rows"], result["applied"], result["rejected"]) == (11, 3, 8)
    errors = errors_by_row(result)
    assert sorted(errors) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert errors[5][0][0] == "kode_induk" and "12.71.09" in errors[5][0][1]
    assert errors[6][0][0] == "kode" and "12.71.01" in errors[6][0][1]
    assert errors[7][0][0] == "tingkat" and "Kecamatan" in errors[7][0][1]
    assert errors[8][0][0] == "kode" and "row 3" in errors[8][0][1]
    assert errors[9][0][0] == "tingkat" and "desa" in errors[9][0][1]
    assert errors[10][0][0] == "nama"
    assert errors[11][0][0] == "kode_induk"
    assert errors[12][0][0] == "kode_induk" and "Kota" in errors[12][0][1]
    assert sorted(Wilayah.objects.values_list("kode", flat=True)) == ["12.71", "12.71.01", "12.71.01.1001"]
    assert Wilayah.objects.get(kode="12.71.01").nama == "Medan Kota"


def test_children_before_parents_in_the_file_still_load(tmp_path):
    path = write_csv(
        tmp_path / "w.csv",
        HEADER,
        [
            ["12.71.01.1001", "kelurahan", "Pasar Baru", "12.71.01", ""],
            ["12.71.01", "kecamatan", "Medan Kota", "12.71", ""],
            ["12.71", "kota", "Kota Medan", "12", ""],
        ],
    )
    assert run_json("load_wilayah", "--file", str(path))["applied"] == 3


def test_child_of_a_rejected_row_names_that_row(tmp_path):
    path = write_csv(
        tmp_path / "w.csv",
        HEADER,
        [
            ["12.71", "kota", "Kota Medan", "12", ""],
            ["12.71.01", "kecamatan", "", "12.71", ""],
            ["12.71.01.1001", "kelurahan", "Pasar Baru", "12.71.01", ""],
        ],
    )
    result = run_json("load_wilayah", "--file", str(path))
    assert result["rejected"] == 2
    assert "row 3" in errors_by_row(result)[4][0][1]


def test_rename_applies_and_is_audited(tmp_path):
    run_json("load_wilayah")
    path = write_csv(tmp_path / "w.csv", HEADER, [["12.71.01", "kecamatan", "Medan Kota Baru", "12.71", ""]])
    result = run_json("load_wilayah", "--file", str(path))
    assert result["applied"] == 1
    entry = AuditLog.objects.get(action="wilayah_updated", object_id="12.71.01")
    assert entry.old_values == {"nama": "Medan Kota"} and entry.new_values == {"nama": "Medan Kota Baru"}


def test_semicolon_bom_and_messy_headers(tmp_path):
    path = write_csv(
        tmp_path / "w.csv",
        [" KODE ", "Tingkat", "NAMA", "Kode_Induk", "Kode Pos"],
        [
            ["12.71", "Kota", "Kota Medan", "12", ""],
            ["12.71.01", "KECAMATAN", "Medan Kota", "12.71", ""],
        ],
        delimiter=";",
        bom=True,
    )
    result = run_json("load_wilayah", "--file", str(path))
    assert (result["applied"], result["rejected"]) == (2, 0)


def test_xlsx_file(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        HEADER,
        [
            ["12.71", "kota", "Kota Medan", "12", ""],
            ["12.71.01", "kecamatan", "Medan Kota", "12.71", ""],
            ["12.71.01.1001", "kelurahan", "Pasar Baru", "12.71.01", 20211],
        ],
    )
    result = run_json("load_wilayah", "--file", str(path))
    assert result["applied"] == 3
    assert Wilayah.objects.get(kode="12.71.01.1001").kode_pos == "20211"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "File not found"),
        ("kode;nama\n12.71;Kota Medan\n", "Missing column(s): tingkat, kode_induk"),
        ("\xff\xfe not utf8".encode("latin-1"), "UTF-8"),
    ],
)
def test_unusable_file_fails_with_a_message(tmp_path, content, fragment):
    path = tmp_path / "w.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(CommandError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        run_json("load_wilayah", "--file", str(path))
    assert Wilayah.objects.count() == 0


def test_level_names_come_from_the_data(tmp_path):
    LevelName.objects.filter(level=2).update(key="desa", name="Desa", head_title="Kepala Desa")
    path = write_csv(
        tmp_path / "w.csv",
        HEADER,
        [
            ["12.71", "kota", "Kota Medan", "12", ""],
            ["12.71.01", "kecamatan", "Medan Kota", "12.71", ""],
            ["12.71.01.2001", "Desa", "Desa Satu", "12.71.01", ""],
            ["12.71.01.2002", "desa", "Desa Dua", "12.71", ""],
        ],
    )
    result = run_json("load_wilayah", "--file", str(path))
    assert Wilayah.objects.get(kode="12.71.01.2001").level == KELURAHAN
    assert "belongs to a Kecamatan" in errors_by_row(result)[5][0][1]
    assert "a Desa belongs" in errors_by_row(result)[5][0][1]


def test_audit_rows_name_the_user_given_with_by(admin_kota, tmp_path):
    path = write_csv(tmp_path / "w.csv", HEADER, [["12.71.21", "kecamatan", "Medan Baru", "12.71", ""]])
    run_json("load_wilayah", "--file", str(path), "--by", "admin")
    assert AuditLog.objects.get(action="wilayah_created", object_id="12.71.21").actor == admin_kota
    with pytest.raises(CommandError, match="nobody"):
        run_json("load_wilayah", "--file", str(path), "--by", "nobody")
