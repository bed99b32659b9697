import datetime

import pytest
from django.core.management import CommandError

from kepling.core.models import AuditLog
from kepling.regions.actions import save_statistic
from kepling.regions.imports import import_statistics
from kepling.regions.models import WilayahStatistic
from kepling.regions.queries import statistics_for
from kepling.regions.tests.conftest import errors_by_row, run_json, write_csv, write_xlsx

HEADER = ["kode", "angkatan_kerja", "peserta_aktif_bpjs", "per_tanggal"]
D = datetime.date


def test_imports_city_figures_and_second_run_changes_nothing(city, tmp_path):
    path = write_csv(tmp_path / "s.csv", HEADER, [["12.71", "875.743", "472068", "2025-09-30"]])
    result = run_json("import_statistics", str(path))
    assert (result["applied"], result["rejected"]) == (1, 0)
    statistic = WilayahStatistic.objects.get(wilayah=city.kota)
    assert (statistic.angkatan_kerja, statistic.peserta_aktif_bpjs) == (875743, 472068)
    assert statistic.per_tanggal == D(2025, 9, 30)
    entry = AuditLog.objects.get(action="statistic_created")
    assert entry.object_id == "12.71@2025-09-30" and entry.new_values["angkatan_kerja"] == 875743
    again = run_json("import_statistics", str(path))
    assert (again["applied"], again["already_present"]) == (0, 1)
    assert AuditLog.objects.filter(action__startswith="statistic_").count() == 1


def test_changed_figures_update_the_same_date_and_are_audited(city, admin_kota, tmp_path):
    first = write_csv(tmp_path / "a.csv", HEADER, [["12.71.01", "1000", "500", "30/09/2025"]])
    second = write_csv(tmp_path / "b.csv", HEADER, [["12.71.01", "1000", "600", "2025-09-30"]])
    import_statistics(first, by=admin_kota)
    result = import_statistics(second, by=admin_kota)
    assert result.applied == 1
    assert WilayahStatistic.objects.get(wilayah=city.kecamatan[0]).peserta_aktif_bpjs == 600
    entry = AuditLog.objects.get(action="statistic_updated")
    assert entry.actor == admin_kota
    assert (entry.old_values, entry.new_values) == ({"peserta_aktif_bpjs": 500}, {"peserta_aktif_bpjs": 600})


def test_bad_rows_rejected_with_row_and_column(city, tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        HEADER,
        [
            ["12.71.01", "1000", "500", "2025-09-30"],  # 2 ok
            ["12.71.99", "1000", "500", "2025-09-30"],  # 3 unknown code
            ["12.71.02", "-5", "0", "2025-06-30"],  # 4 negative
            ["12.71.02", "banyak", "x", "2025-07-31"],  # 5 non-numeric twice
            ["12.71.02", "100", "200", "2025-08-31"],  # 6 more participants than labour force
            ["12.71.02", "100", "50", "31/02/2025"],  # 7 bad date
            ["12.71.01", "1000", "500", "30/09/2025"],  # 8 same node and date as row 2
            ["12.71.02", "100", "50", ""],  # 9 empty date
        ],
    )
    result = run_json("import_statistics", str(path))
    assert (result["rows"], result["applied"], result["rejected"]) == (8, 1, 7)
    errors = errors_by_row(result)
    assert [c for c, _ in errors[3]] == ["kode"] and "12.71.99" in errors[3][0][1]
    assert [c for c, _ in errors[4]] == ["angkatan_kerja"] and "negative" in errors[4][0][1]
    assert [c for c, _ in errors[5]] == ["angkatan_kerja", "peserta_aktif_bpjs"]
    assert [c for c, _ in errors[6]] == ["peserta_aktif_bpjs"]
    assert "more than the labour force" in errors[6][0][1]
    assert [c for c, _ in errors[7]] == ["per_tanggal"] and "YYYY-MM-DD" in errors[7][0][1]
    assert [c for c, _ in errors[8]] == ["per_tanggal"] and "row 2" in errors[8][0][1]
    assert [c for c, _ in errors[9]] == ["per_tanggal"]
    assert WilayahStatistic.objects.count() == 1


def test_xlsx_with_date_cells_and_semicolon_csv(city, tmp_path):
    xlsx = write_xlsx(
        tmp_path / "s.xlsx",
        ["Kode", "Angkatan Kerja", "Peserta Aktif BPJS", "Per Tanggal"],
        [["12.71.01", 1000, 400, "2025-09-30"]],
    )
    assert run_json("import_statistics", str(xlsx))["applied"] == 1
    csv_path = write_csv(
        tmp_path / "s.csv",
        ["KODE", "ANGKATAN_KERJA", "peserta aktif bpjs", "per_tanggal"],
        [["12.71.02", "900", "300", "2025-09-30"]],
        delimiter=";",
        bom=True,
    )
    assert run_json("import_statistics", str(csv_path))["applied"] == 1


def test_unusable_file(city, tmp_path):
    path = write_csv(tmp_path / "s.csv", ["kode", "angkatan_kerja"], [["12.71", "1"]])
    with pytest.raises(CommandError, match="peserta_aktif_bpjs, per_tanggal"):
        run_json("import_statistics", str(path))


def test_save_statistic_refuses_impossible_figures(city):
    with pytest.raises(ValueError, match="exceed"):
        save_statistic(by=None, wilayah=city.kota, per_tanggal=D(2025, 9, 30), angkatan_kerja=10, peserta_aktif_bpjs=11)
    assert not AuditLog.objects.filter(action__startswith="statistic_").exists()


def put(node, day, labour, participants):
    save_statistic(by=None, wilayah=node, per_tanggal=day, angkatan_kerja=labour, peserta_aktif_bpjs=participants)


def test_statistics_for_uses_own_latest_figures_on_or_before_the_date(city):
    put(city.kota, D(2025, 3, 31), 800, 400)
    put(city.kota, D(2025, 9, 30), 875, 472)
    put(city.kecamatan[0], D(2025, 9, 30), 1, 1)
    assert statistics_for(city.kota, D(2025, 10, 29)) == (875, 472)
    assert statistics_for(city.kota, D(2025, 9, 29)) == (800, 400)
    assert statistics_for(city.kota, D(2025, 1, 1)) is None


def test_statistics_for_sums_children_recursing_where_a_child_has_none(city):
    # Kecamatan 1 has its own figures; kecamatan 2 has none, so its kelurahan count.
    put(city.kecamatan[0], D(2025, 9, 30), 1000, 500)
    put(city.kelurahan[0], D(2025, 9, 30), 999, 1)  # under a kecamatan with figures: ignored
    put(city.kelurahan[2], D(2025, 9, 30), 300, 100)
    put(city.kelurahan[3], D(2025, 8, 31), 200, 50)
    put(city.kelurahan[3], D(2025, 11, 30), 250, 60)  # after the date: not used
    assert statistics_for(city.kota, D(2025, 10, 29)) == (1500, 650)
    assert statistics_for(city.kecamatan[1], D(2025, 10, 29)) == (500, 150)
    assert statistics_for(city.kecamatan[1], D(2025, 9, 1)) == (200, 50)
    assert statistics_for(city.lingkungan[0], D(2025, 10, 29)) is None


def test_dry_run_changes_nothing(city, tmp_path):
    path = write_csv(tmp_path / "s.csv", HEADER, [["12.71", "875743", "472068", "2025-09-30"]])
    result = run_json("import_statistics", str(path), "--dry-run")
    assert (result["applied"], result["dry_run"]) == (1, True)
    assert not WilayahStatistic.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="statistic_").exists()
