import datetime
import stat

import pytest
from django.core.management import CommandError
from python_calamine import CalamineWorkbook

from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog
from kepling.regions.imports import import_kepling
from kepling.regions.models import KeplingTerm
from kepling.regions.queries import kepling_in_office
from kepling.regions.tests.conftest import errors_by_row, run_json, run_text, write_csv, write_xlsx
from kepling.testing import make_user

HEADER = ["username", "nama", "no_hp", "kode_lingkungan", "mulai_jabatan"]
D = datetime.date


def read_sheet(path):
    return [list(row) for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()]


def test_creates_accounts_terms_and_a_credentials_sheet(city, tmp_path):
    path = write_csv(
        tmp_path / "kepling.csv",
        HEADER,
        [
            ["kepling-12.71.01.1001.01", "Budi Santoso", "0812-3456-7890", "12.71.01.1001.01", "2025-05-14"],
            ["kepling-12.71.01.1001.02", "Sari Lubis", "+62 813 1111 2222", "12.71.01.1001.02", "14/05/2025"],
        ],
    )
    out = tmp_path / "out" / "credentials.xlsx"
    result = run_json("import_kepling", str(path), "--credentials", str(out))
    assert (result["rows"], result["applied"], result["rejected"]) == (2, 2, 0)
    assert result["credentials"] == str(out)
    budi = User.objects.get(username="kepling-12.71.01.1001.01")
    assert (budi.role, budi.wilayah, budi.full_name) == (Role.KEPLING, city.lingkungan[0], "Budi Santoso")
    assert budi.phone == "+6281234567890" and budi.must_change_password
    assert kepling_in_office(city.lingkungan[1], D(2025, 5, 14)).username == "kepling-12.71.01.1001.02"
    sheet = read_sheet(out)
    assert sheet[0] == ["Username", "Name", "Lingkungan code", "Lingkungan", "One-time password"]
    assert [row[:4] for row in sheet[1:]] == [
        ["kepling-12.71.01.1001.01", "Budi Santoso", "12.71.01.1001.01", "Lingkungan I"],
        ["kepling-12.71.01.1001.02", "Sari Lubis", "12.71.01.1001.02", "Lingkungan II"],
    ]
    password = sheet[1][4]
    assert len(password) >= 12 and budi.check_password(password)
    assert not budi.check_password(sheet[2][4])
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert AuditLog.objects.filter(action="account_created").count() == 2
    assert AuditLog.objects.filter(action="kepling_term_started").count() == 2
    assert not AuditLog.objects.filter(new_values__icontains=password).exists()


def test_second_run_changes_nothing_and_issues_no_password(city, tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    path = write_csv(
        tmp_path / "kepling.csv",
        HEADER,
        [
            ["budi", "Budi Santoso", "081234567890", "12.71.01.1001.01", "2025-05-14"],
        ],
    )
    first = run_json("import_kepling", str(path))
    assert first["credentials"].startswith(str(tmp_path / "var" / "credentials" / "credentials-"))
    hashed = User.objects.get(username="budi").password
    audit_rows = AuditLog.objects.count()
    second = run_json("import_kepling", str(path))
    assert (second["applied"], second["already_present"], second["credentials"]) == (0, 1, None)
    assert User.objects.get(username="budi").password == hashed
    assert AuditLog.objects.count() == audit_rows
    assert "credentials" not in run_text("import_kepling", str(path))


def test_existing_kepling_new_term_or_contact_changes_apply_without_password(city, admin_kota, tmp_path):
    write = lambda rows: write_csv(tmp_path / "k.csv", HEADER, rows)  # noqa: E731
    import_kepling(write([["budi", "Budi", "081234567890", "12.71.01.1001.01", "2025-05-14"]]), by=admin_kota)
    moved = import_kepling(
        write([["budi", "Budi S.", "081234567891", "12.71.01.1001.02", "2025-08-01"]]), by=admin_kota
    )
    assert (moved.applied, moved.credentials) == (1, [])
    budi = User.objects.get(username="budi")
    assert (budi.full_name, budi.phone, budi.wilayah) == ("Budi S.", "+6281234567891", city.lingkungan[1])
    assert list(KeplingTerm.objects.filter(kepling=budi).values_list("start", "end")) == [
        (D(2025, 5, 14), D(2025, 7, 31)),
        (D(2025, 8, 1), None),
    ]


def test_successor_from_a_file_ends_the_previous_term(city, tmp_path):
    path = write_csv(
        tmp_path / "k.csv",
        HEADER,
        [
            ["lama", "Kepling Lama", "081234567890", "12.71.01.1001.01", "2022-01-01"],
            ["baru", "Kepling Baru", "081234567891", "12.71.01.1001.01", "2025-05-14"],
        ],
    )
    assert run_json("import_kepling", str(path))["applied"] == 2
    assert kepling_in_office(city.lingkungan[0], D(2025, 5, 13)).username == "lama"
    assert kepling_in_office(city.lingkungan[0], D(2025, 5, 14)).username == "baru"


def test_bad_rows_rejected_with_row_and_column_good_rows_apply(city, lurah, tmp_path):
    path = write_csv(
        tmp_path / "k.csv",
        HEADER,
        [
            ["lama", "Kepling Lama", "081234567890", "12.71.01.1001.01", "2025-01-01"],  # 2 ok
            ["a1", "Unknown", "081234567890", "12.71.01.1001.09", "2025-05-14"],  # 3 unknown lingkungan
            ["a2", "Kelurahan", "081234567890", "12.71.01.1001", "2025-05-14"],  # 4 not a lingkungan
            ["a3", "Bad phone", "12345", "12.71.01.1002.01", "2025-05-14"],  # 5 bad phone
            ["a4", "Bad date", "081234567890", "12.71.01.1002.01", "2025-13-01"],  # 6 bad date
            ["a5", "Earlier", "081234567890", "12.71.01.1001.01", "2024-12-31"],  # 7 before row 2's term
            ["lurah", "Lurah", "081234567890", "12.71.01.1002.02", "2025-05-14"],  # 8 taken by a Lurah
            ["LAMA", "Again", "081234567890", "12.71.02.1001.01", "2025-05-14"],  # 9 duplicate username
            ["bad name!", "Name", "081234567890", "12.71.02.1001.02", "2025-05-14"],  # 10 invalid username
            ["a6", "", "", "12.71.02.1002.01", ""],  # 11 several problems
        ],
    )
    result = run_json("import_kepling", str(path), "--credentials", str(tmp_path / "c.xlsx"))
    assert (result["rows"], result["applied"], result["rejected"]) == (10, 1, 9)
    errors = errors_by_row(result)
    columns = {row: [c for c, _ in problems] for row, problems in errors.items()}
    assert columns == {
        3: ["kode_lingkungan"],
        4: ["kode_lingkungan"],
        5: ["no_hp"],
        6: ["mulai_jabatan"],
        7: ["mulai_jabatan"],
        8: ["username"],
        9: ["username"],
        10: ["username"],
        11: ["nama", "no_hp", "mulai_jabatan"],
    }
    assert "12.71.01.1001.09" in errors[3][0][1]
    assert "Kelurahan" in errors[4][0][1]
    assert "12345" in errors[5][0][1]
    assert "lama" in errors[7][0][1] and "2025-01-01" in errors[7][0][1]
    assert "not a Kepling" in errors[8][0][1]
    assert "row 2" in errors[9][0][1]
    assert set(User.objects.filter(role=Role.KEPLING).values_list("username", flat=True)) == {"lama"}
    assert not User.objects.filter(username="a5").exists()  # the term conflict rolled the account back
    lurah.refresh_from_db()
    assert lurah.role == Role.LURAH and lurah.wilayah == city.kelurahan[0]
    assert [row[0] for row in read_sheet(tmp_path / "c.xlsx")[1:]] == ["lama"]


def test_xlsx_and_messy_csv(city, tmp_path):
    xlsx = write_xlsx(
        tmp_path / "k.xlsx",
        ["Username", "Nama", "No HP", "Kode Lingkungan", "Mulai Jabatan"],
        [
            ["budi", "Budi", "6281234567890", "12.71.01.1001.01", "2025-05-14"],
        ],
    )
    assert run_json("import_kepling", str(xlsx), "--credentials", str(tmp_path / "a.xlsx"))["applied"] == 1
    csv_path = write_csv(
        tmp_path / "k.csv",
        ["USERNAME", "nama", "NO_HP", "kode lingkungan", "MULAI_JABATAN"],
        [
            ["sari", "Sari", "0813 1111 2222", "12.71.01.1001.02", "14/05/2025"],
        ],
        delimiter=";",
        bom=True,
    )
    assert run_json("import_kepling", str(csv_path), "--credentials", str(tmp_path / "b.xlsx"))["applied"] == 1
    assert User.objects.get(username="sari").phone == "+6281311112222"


def test_unusable_file_writes_nothing(city, tmp_path):
    path = write_csv(tmp_path / "k.csv", ["username", "nama"], [["budi", "Budi"]])
    with pytest.raises(CommandError, match="no_hp, kode_lingkungan, mulai_jabatan"):
        run_json("import_kepling", str(path), "--credentials", str(tmp_path / "c.xlsx"))
    assert not (tmp_path / "c.xlsx").exists()
    assert not User.objects.filter(username="budi").exists()


def test_existing_kepling_built_elsewhere_is_recognised(city, tmp_path):
    make_user("budi", Role.KEPLING, None)
    path = write_csv(tmp_path / "k.csv", HEADER, [["budi", "Budi", "081234567890", "12.71.01.1001.01", "2025-05-14"]])
    result = run_json("import_kepling", str(path))
    assert (result["applied"], result["credentials"]) == (1, None)
    assert User.objects.get(username="budi").wilayah == city.lingkungan[0]
