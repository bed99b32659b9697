"""`kepling import_participants` and `kepling reconcile` as an operator runs them: outputs, bad input, dry runs."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kepling.contributions.ledger import record_payment
from kepling.core.models import AuditLog
from kepling.imports.tests.helpers import KNOWN_NIK, UNKNOWN_NIK, write_csv
from kepling.reconciliation.models import BpjsParticipant, ItemKind, ItemStatus, ReconciliationItem
from kepling.testing import City, make_worker

pytestmark = pytest.mark.django_db
HEADER = ["nik", "kpj", "nama", "status", "per_tanggal"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def registry(city: City) -> dict[str, Any]:
    """A worker who paid, and a payment for a NIK the registry does not know."""
    import datetime

    worker = make_worker(city.lingkungan[0], nik=KNOWN_NIK, kpj="11111111111")
    record_payment(
        by=None, worker=worker, periode=datetime.date(2025, 9, 1), jumlah=16_800,
        tanggal_bayar=datetime.date(2025, 9, 10), referensi="P-1",
    )
    return {"worker": worker}


def test_participants_with_bad_rows_apply_the_good_ones_and_name_each_bad_cell(registry, tmp_path):
    rows = [
        [KNOWN_NIK, "11111111111", "A", "aktif", "2025-10-20"],
        ["12345", "11111111111", "B", "aktif", "2025-10-20"],
        [UNKNOWN_NIK, "123", "C", "mungkin", "kemarin"],
        [KNOWN_NIK, "11111111111", "A lagi", "nonaktif", "2025-10-21"],
    ]
    report = json.loads(run("import_participants", str(write_csv(tmp_path / "p.csv", HEADER, rows)), "--json"))
    assert (report["rows"], report["applied"], report["rejected"]) == (4, 1, 3)
    cells = {(e["row"], e["column"]) for e in report["errors"]}
    assert cells == {(3, "nik"), (4, "kpj"), (4, "status"), (4, "per_tanggal"), (5, "kpj")}
    assert BpjsParticipant.objects.count() == 1


def test_a_dry_run_counts_like_the_real_run_and_stores_and_matches_nothing(registry, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [[UNKNOWN_NIK, "22222222222", "X", "aktif", "2025-10-20"]])
    text = run("import_participants", str(path), "--dry-run")
    assert text.splitlines()[0] == "Dry run: nothing was changed."
    assert "applied: 1" in text
    assert not BpjsParticipant.objects.exists()
    assert not ReconciliationItem.objects.exists()
    assert json.loads(run("import_participants", str(path), "--json"))["applied"] == 1
    assert BpjsParticipant.objects.count() == 1


def test_the_same_extract_twice_changes_nothing_the_second_time(registry, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [[KNOWN_NIK, "11111111111", "A", "aktif", "2025-10-20"]])
    first = json.loads(run("import_participants", str(path), "--json"))
    second = json.loads(run("import_participants", str(path), "--json"))
    assert (first["applied"], first["already_present"]) == (1, 0)
    assert (second["applied"], second["already_present"]) == (0, 1)
    assert BpjsParticipant.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "header", "says"),
    [
        ("missing.csv", None, "File not found"),
        ("columns.csv", ["nik", "nama"], "kpj"),
    ],
)
def test_an_unusable_participant_file_is_a_command_error_that_says_what_to_fix(
    registry, tmp_path, name, header, says
):
    path = tmp_path / name
    if header is not None:
        write_csv(path, header, [[KNOWN_NIK, "A"]])
    with pytest.raises(CommandError, match=says):
        run("import_participants", str(path))
    assert not BpjsParticipant.objects.exists()


def test_an_import_recorded_against_an_unknown_account_is_refused_before_reading(registry, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [[KNOWN_NIK, "11111111111", "A", "aktif", "2025-10-20"]])
    with pytest.raises(CommandError, match="No active account named 'nobody'"):
        run("import_participants", str(path), "--by", "nobody")
    assert not BpjsParticipant.objects.exists()


def test_reconcile_prints_the_open_queues_by_kind_as_its_json_counts_them(registry, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, [[UNKNOWN_NIK, "22222222222", "X", "aktif", "2025-10-20"]])
    run("import_participants", str(path))
    report = json.loads(run("reconcile", "--as-of", "2025-10-29", "--json"))
    assert report["as_of"] == "2025-10-29"
    open_items = ReconciliationItem.objects.filter(status=ItemStatus.OPEN)
    assert report["open"] == open_items.count() == sum(report["open_by_kind"].values())
    assert ItemKind.UNKNOWN_TO_BPJS in report["open_by_kind"]  # the paying worker is not in the extract
    text = run("reconcile", "--as-of", "2025-10-29").splitlines()
    # A second rebuild creates and closes nothing: the same items stay open.
    assert re.fullmatch(rf"as of 2025-10-29: created 0, updated \d+, closed 0, open {report['open']}", text[0])
    assert sorted(text[1:]) == sorted(f"  {kind}: {n}" for kind, n in report["open_by_kind"].items())


@pytest.mark.parametrize("bad", ["29-10-2025", "2025-02-30", "besok"])
def test_reconcile_refuses_a_date_it_cannot_read_and_changes_nothing(registry, bad):
    with pytest.raises(CommandError, match=f"--as-of must be a date written YYYY-MM-DD, not '{bad}'"):
        run("reconcile", "--as-of", bad)
    assert not ReconciliationItem.objects.exists()


def test_reconcile_by_an_operator_is_recorded_against_them(registry, admin_kota):
    before = AuditLog.objects.filter(actor=admin_kota).count()
    run("reconcile", "--as-of", "2025-10-29", "--by", admin_kota.username)
    assert AuditLog.objects.filter(actor=admin_kota).count() > before
    with pytest.raises(CommandError, match="No active account named 'ghost'"):
        run("reconcile", "--as-of", "2025-10-29", "--by", "ghost")
