"""Payment extracts: the whole-file reader gives what the row-by-row rules give, on SQLite and PostgreSQL.

On PostgreSQL an extract is staged with COPY and merged set-based, and coverage is
recomputed in SQL; these tests run the same files and histories through both ways and
require the same result, ledger and coverage rows.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.db import connection, transaction
from django.utils import translation

from kepling.contributions import fastpath, imports, ledger
from kepling.contributions.fastpath import recompute_coverage
from kepling.contributions.imports import RowChecker, _column_texts, import_payments_file, parse_payment_row
from kepling.contributions.ledger import recompute_worker_months_here, record_payment, reverse_payment
from kepling.contributions.models import HeldCancellation, Payment, WorkerMonth
from kepling.core.crypto import decrypt_text
from kepling.core.tabular import RowRejectedError, open_table
from kepling.regions.models import StaleSummary
from kepling.testing import make_worker

D = datetime.date
HEADER = ["nik", "kpj", "periode", "jumlah", "tanggal_bayar", "referensi"]
KNOWN = "1271011505900001"
OTHER = "1271011505900002"
UNKNOWN = "1271011505909999"
on_postgresql = pytest.mark.postgres(reason="the staged path exists on PostgreSQL only")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# Texts the reader must judge exactly as `parse_payment_row` does, one column at a time.
TRICKY = {
    "nik": [KNOWN, f" {KNOWN} ", "1271 0115 0590 0001", "127101150590000", "12710115059000012", "١٢٧١٠١١٥٠٥٩٠٠٠٠١", ""],
    "kpj": ["", "12345678901", "1234567890", "1234 5678 901", "abc"],
    "periode": ["2025-06", "2025-6", "06/2025", "2025/06", "2025-06-15", "15/06/2025", "2025-13", "2025", "", "x"],
    "jumlah": ["16800", "16.800", "Rp 16.800", "rp.16.800", "16.800,00", "0", "-16800", "16,800", "enam", ""],
    "tanggal_bayar": [
        "2025-06-10",
        "10/06/2025",
        "10-06-2025",
        "2025-06-10T08:00:00",
        "2025-06-10 08:00",
        "2025-02-30",
        "2099-01-01",
        "2014-01-01",
        "2024-01-10",
        "",
    ],
    "referensi": ["R-1", "  R-2 ", "", "X" * 60, "X" * 61],
}


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except RowRejectedError as rejected:
        return rejected.errors


def _checker_outcome(checker: RowChecker, number: int, record: dict[str, str]) -> Any:
    found = checker.check(number, tuple(record[c] for c in HEADER))  # type: ignore[arg-type]
    if isinstance(found, list):
        return found
    return found._replace(nik_hash="")


def test_the_whole_file_checker_judges_every_value_as_the_row_rules_do(settings):
    today = D(2025, 11, 1)
    checker = RowChecker(today)
    base = {"nik": KNOWN, "kpj": "", "periode": "2025-06", "jumlah": "16800", "tanggal_bayar": "2025-06-10"}
    base["referensi"] = "R-0"
    number = 1
    for column, texts in TRICKY.items():
        for text in texts:
            for repeat in range(2):  # the second time comes from what the checker remembers
                number += 1
                record = base | {column: text}
                expected = _outcome(lambda record=record, number=number: parse_payment_row(number, record, today))
                assert _checker_outcome(checker, number, record) == expected, (column, text, repeat)
    # Month and payment date are judged together (a month too far ahead of its payment).
    for periode, paid_on in [("2026-06", "2025-06-10"), ("2026-07", "2025-06-10"), ("2026-07", "2099-06-10")]:
        number += 1
        record = base | {"periode": periode, "tanggal_bayar": paid_on}
        assert _checker_outcome(checker, number, record) == _outcome(
            lambda r=record, n=number: parse_payment_row(n, r, today)
        )


def test_the_checker_hashes_a_nik_as_the_registry_does():
    from kepling.core.crypto import lookup_hash

    row = RowChecker(D(2025, 11, 1)).check(2, (KNOWN, "", "2025-06", "16800", "2025-06-10", "R"))
    assert not isinstance(row, list) and row.nik_hash == lookup_hash(KNOWN)


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for number, cells in enumerate(rows):
        sheet.write_row(number, 0, cells)
    book.close()
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_reader_sees_the_rows_the_generic_reader_sees(tmp_path, kind):
    rows: list[list[object]] = [
        ["Referensi", "NIK ", "extra", "Periode", "JUMLAH", "tanggal bayar"],
        ["R-1", KNOWN, "x", "2025-06", 16800, "2025-06-10"],
        ["", "", "", "", "", ""],  # blank: skipped, still counted in the numbering
        ["", "", "only here", "", "", ""],  # not blank: an extra column has text
        ["R-3", f" {KNOWN}", "", "2025-07", "16.800", "10/07/2025"],
        ["R-4", KNOWN],  # short row
        ["R-5", KNOWN, "", "2025-08", 16800.0, D(2025, 8, 10)],
    ]
    if kind == "csv":
        path = write_csv(tmp_path / "e.csv", [[str(c) for c in r] for r in rows[1:]], header=[str(c) for c in rows[0]])
    else:
        path = _xlsx(tmp_path / "e.xlsx", rows)
    columns = imports.PAYMENT_COLUMNS
    optional = imports.PAYMENT_OPTIONAL
    expected = [
        (n, tuple(record.get(c, "") for c in HEADER))
        for n, record in open_table(path, required=columns, optional=optional).rows()
    ]
    found = [(n, texts) for n, texts, _kind in _column_texts(open_table(path, required=columns, optional=optional))]
    assert found == expected
    assert [n for n, _ in found] == [2, 4, 5, 6, 7]


# --- the staged path against the portable one (PostgreSQL) ---------------------------------


def _portable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "use_staging", lambda: False)
    monkeypatch.setattr(ledger, "coverage_in_sql", lambda: False)


def _ledger() -> list[tuple[Any, ...]]:
    rows = Payment.objects.order_by("referensi").values_list(
        "referensi",
        "worker_id",
        "nik_hash",
        "nik_encrypted",
        "nik_masked",
        "kpj",
        "periode",
        "jumlah",
        "tanggal_bayar",
        "kelurahan_id",
        "reverses__referensi",  # ids differ between the two runs; references do not
        "created_by_id",
    )
    return [(*r[:3], decrypt_text(r[3]) if r[3] else "", *r[4:]) for r in rows]


def _months() -> list[tuple[Any, ...]]:
    return list(
        WorkerMonth.objects.order_by("worker_id", "periode", "paid_from").values_list(
            "worker_id",
            "periode",
            "periode_index",
            "amount_due",
            "amount_paid",
            "paid_from",
            "paid_until",
            "kelurahan_id",
        )
    )


def _state() -> tuple[Any, ...]:
    stale = sorted(StaleSummary.objects.values_list("lingkungan_id", "since"))
    return _ledger(), _months(), stale


def _ids_in_file_order(path: Path) -> bool:
    with path.open(encoding="utf-8") as handle:
        references = [r["referensi"].strip() for r in csv.DictReader(handle)]
    stored = list(Payment.objects.filter(import_batch__gt="").order_by("id").values_list("referensi", flat=True))
    return stored == [r for r in dict.fromkeys(references) if r in set(stored)]


@pytest.fixture
def registry(city, petugas_bpjs):
    known = make_worker(city.lingkungan[0], nik=KNOWN)
    other = make_worker(
        city.lingkungan[3], nik=OTHER, program="JKK-JKM-JHT", sektor="transportasi", penghasilan=2_500_000
    )
    # Already in the ledger before the file arrives.
    record_payment(
        by=None, worker=known, periode=D(2025, 5, 1), jumlah=16_800, tanggal_bayar=D(2025, 5, 9), referensi="OLD-1"
    )
    record_payment(
        by=None, worker=other, periode=D(2025, 5, 1), jumlah=10_000, tanggal_bayar=D(2025, 5, 9), referensi="OLD-2"
    )
    return known, other


def messy(path: Path) -> Path:
    return write_csv(
        path,
        [
            [KNOWN, "12345678901", "2025-06", "16800", "2025-06-10", "A-1"],
            [KNOWN, "", "2025-07", "8000", "2025-07-10", "A-2"],  # underpaid
            [KNOWN, "", "2025-07", "8800", "2025-07-20", "A-3"],  # topped up later
            [UNKNOWN, "", "2025-06", "Rp 16.800", "10/06/2025", "A-4"],  # unknown NIK: kept
            [UNKNOWN, "", "2025-07", "16800", "2025-07-10", "A-5"],
            [KNOWN, "", "2025-08", "16800", "2025-08-10", "A-1"],  # duplicate in the file
            [],
            [KNOWN, "", "2025-13", "16800", "2025-08-10", "A-7"],  # bad month
            [KNOWN, "", "2025-09", "enam belas", "2025-09-10", "A-8"],  # bad amount
            [KNOWN, "", "2025-05", "16800", "2025-05-09", "OLD-1"],  # already present
            [OTHER, "", "2025-05", "99999", "2025-05-09", "OLD-2"],  # a different payment under that reference
            [OTHER, "", "2025-05", "26800", "2025-05-20", "A-11"],  # tops up OLD-2
            [OTHER, "", "2025-06", "40000", "2025-06-01", "A-12"],
            [OTHER, "", "2025-06", "40000", "2025-06-01", "A-12 "],  # the same payment again: already present
            [OTHER, "", "2025-12", "40000", "2025-06-01", "A-14"],  # paid in advance
            ["12345", "1", "2025-06", "0", "2099-01-01", ""],  # every column wrong
            [OTHER, "", "2025-10", "40000", "2025-10-05", "A-16"],
        ],
    )


def _run_both(monkeypatch: pytest.MonkeyPatch, apply: Callable[[], Any]) -> tuple[Any, Any]:
    """Apply on the staged path, then (after rolling that back) on the portable one."""
    outcomes = []
    for portable in (False, True):
        with monkeypatch.context() as patch:
            if portable:
                _portable(patch)
            with transaction.atomic():
                found = apply()
                outcomes.append((found, _state()))
                transaction.set_rollback(True)
    return outcomes[0], outcomes[1]


@on_postgresql
@pytest.mark.parametrize("chunk", [5000, 3])
def test_the_staged_path_gives_the_portable_result_ledger_and_coverage(
    registry, petugas_bpjs, tmp_path, monkeypatch, chunk
):
    monkeypatch.setattr(imports, "CHUNK", chunk)
    monkeypatch.setattr(fastpath, "LEDGER_CHUNK", chunk)  # with 3, the ledger writer merges several blocks
    path = messy(tmp_path / "extract.csv")

    def apply_twice() -> Any:
        first = import_payments_file(path, by=petugas_bpjs).as_dict()
        assert _ids_in_file_order(path)
        before = _state()
        again = import_payments_file(path, by=petugas_bpjs).as_dict()
        assert _state() == before  # a file applied twice changes nothing the second time
        checked = import_payments_file(path, by=petugas_bpjs, dry_run=True).as_dict()
        return first, again, checked

    staged, portable = _run_both(monkeypatch, apply_twice)

    assert staged == portable
    (first, again, _checked), (ledger_rows, months, stale) = staged
    assert (first["rows"], first["applied"], first["already_present"], first["rejected"]) == (16, 9, 2, 5)
    assert {e["row"] for e in first["errors"]} == {7, 9, 10, 12, 17}
    assert [e["row"] for e in first["errors"]] == sorted(e["row"] for e in first["errors"])
    assert (again["applied"], again["already_present"], again["rejected"]) == (0, 11, 5)
    unknown = [r for r in ledger_rows if r[0] in {"A-4", "A-5"}]
    assert all(r[1] is None and r[3] == UNKNOWN for r in unknown)
    assert all(r[3] == "" for r in ledger_rows if r[1] is not None)
    assert any(m[5] is None for m in months) and stale


@on_postgresql
@pytest.mark.parametrize("chunk", [5000, 1])
def test_both_paths_hold_a_cancellation_and_apply_it_when_its_payment_arrives(
    registry, petugas_bpjs, tmp_path, monkeypatch, chunk
):
    monkeypatch.setattr(imports, "CHUNK", chunk)
    monkeypatch.setattr(fastpath, "LEDGER_CHUNK", chunk)
    header = [*HEADER, "jenis", "referensi_asal"]
    cancellations = write_csv(
        tmp_path / "cancel.csv",
        [
            [KNOWN, "", "2025-08", "16800", "2025-08-20", "C-1", "batal", "LATER-1"],
            [UNKNOWN, "", "2025-08", "16800", "2025-08-21", "C-2", "batal", "LATER-2"],
            [KNOWN, "", "2025-09", "99999", "2025-09-21", "C-3", "batal", "LATER-3"],  # will not fit its payment
        ],
        header,
    )
    payments = write_csv(
        tmp_path / "pay.csv",
        [
            [KNOWN, "", "2025-08", "16800", "2025-08-10", "LATER-1"],
            [UNKNOWN, "", "2025-08", "16800", "2025-08-10", "LATER-2"],
            [KNOWN, "", "2025-09", "16800", "2025-09-10", "LATER-3"],
            [KNOWN, "", "2025-10", "16800", "2025-10-10", "C-1"],  # a held cancellation's reference: taken
        ],
    )

    def apply() -> Any:
        held = import_payments_file(cancellations, by=petugas_bpjs).as_dict()
        paid = import_payments_file(payments, by=petugas_bpjs).as_dict()
        again = import_payments_file(payments, by=petugas_bpjs).as_dict()
        waiting = sorted(HeldCancellation.objects.values_list("referensi", "problem"))
        return held, paid, again, waiting

    staged, portable = _run_both(monkeypatch, apply)

    assert staged == portable
    (held, paid, again, waiting), (ledger_rows, _months, _stale) = staged
    assert (held["held"], held["applied"], held["rejected"]) == (3, 0, 0)
    assert (paid["applied"], paid["held_applied"], paid["rejected"]) == (3, 2, 1)
    assert [e["row"] for e in paid["errors"]] == [5]
    assert (again["applied"], again["already_present"], again["held_applied"]) == (0, 3, 0)
    assert waiting == [("C-3", "different_payment")]
    reversals = {r[0]: r for r in ledger_rows if r[0] in {"C-1", "C-2"}}
    assert {ref: (row[7], str(row[8])) for ref, row in reversals.items()} == {
        "C-1": (-16_800, "2025-08-20"),
        "C-2": (-16_800, "2025-08-21"),
    }


@on_postgresql
def test_references_with_copy_control_characters_are_stored_as_written(registry, tmp_path, monkeypatch):
    odd = ["C:\\bayar\\01", "tab\there", 'quote " and \\N', "line\nbreak"]
    path = write_csv(
        tmp_path / "extract.csv",
        [[KNOWN, "", f"2025-{6 + n:02d}", "16800", f"2025-{6 + n:02d}-10", ref] for n, ref in enumerate(odd)],
    )
    staged, portable = _run_both(monkeypatch, lambda: import_payments_file(path).as_dict())
    assert staged == portable
    (result, (ledger_rows, _months, _stale)) = staged
    assert result["applied"] == len(odd)
    assert {r[0] for r in ledger_rows} >= set(odd)


@on_postgresql
def test_a_dry_run_counts_as_the_application_would_and_changes_nothing(registry, tmp_path, monkeypatch):
    path = messy(tmp_path / "extract.csv")
    before = _state()
    (staged, after_staged), (portable, _) = _run_both(
        monkeypatch, lambda: import_payments_file(path, dry_run=True).as_dict()
    )
    assert staged == portable and after_staged == before
    applied = import_payments_file(path).as_dict()
    assert applied == staged


@on_postgresql
def test_an_import_interrupted_after_staging_leaves_nothing(registry, tmp_path, monkeypatch):
    path = messy(tmp_path / "extract.csv")
    before = _state()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("connection lost")

    monkeypatch.setattr("kepling.contributions.fastpath.StagedPayments.refresh_coverage", broken)
    with pytest.raises(RuntimeError):
        import_payments_file(path)
    assert _state() == before


@on_postgresql
def test_an_import_interrupted_while_reading_leaves_nothing_and_the_connection_usable(
    registry, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK", 3)  # several blocks are merged before the failure
    monkeypatch.setattr(fastpath, "LEDGER_CHUNK", 3)
    path = messy(tmp_path / "extract.csv")
    before = _state()
    real_check = imports.RowChecker.check

    def failing(self: Any, number: int, texts: Any) -> Any:
        if number > 12:
            raise RuntimeError("worker killed")
        return real_check(self, number, texts)

    monkeypatch.setattr(imports.RowChecker, "check", failing)
    with pytest.raises(RuntimeError, match="worker killed"):
        import_payments_file(path)
    assert _state() == before
    monkeypatch.setattr(imports.RowChecker, "check", real_check)
    assert import_payments_file(path).applied == 9  # rerun from the start: the whole file applies


@on_postgresql
def test_a_block_the_server_refuses_stops_the_import_and_leaves_nothing(registry, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 3)
    monkeypatch.setattr(fastpath, "LEDGER_CHUNK", 3)
    path = messy(tmp_path / "extract.csv")
    before = _state()
    real_merge = fastpath.StagedPayments._merge_block
    blocks = []

    def refused_second(self: Any, block: str, count: int) -> Any:
        blocks.append(count)
        if len(blocks) == 2:
            # as a constraint or a lost connection would, on the writer's thread
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        return real_merge(self, block, count)

    monkeypatch.setattr(fastpath.StagedPayments, "_merge_block", refused_second)
    with pytest.raises(Exception, match="division by zero"):
        import_payments_file(path)
    assert _state() == before
    monkeypatch.setattr(fastpath.StagedPayments, "_merge_block", real_merge)
    assert import_payments_file(path).applied == 9  # the connection is usable; the whole file applies


# --- coverage in SQL against the Python walk --------------------------------------------------


def _pay(worker: Any, month: str, amount: int, on: str, ref: str) -> Payment:
    return record_payment(
        by=None,
        worker=worker,
        periode=D.fromisoformat(f"{month}-01"),
        jumlah=amount,
        tanggal_bayar=D.fromisoformat(on),
        referensi=ref,
    )


@pytest.mark.django_db
def test_coverage_in_sql_matches_the_python_walk_on_tricky_histories(city):
    plain = make_worker(city.lingkungan[0])
    jht = make_worker(city.lingkungan[1], program="JKK-JKM-JHT", sektor="transportasi", penghasilan=2_500_000)
    donor = make_worker(city.lingkungan[2], sumber_iuran="apbd", penghasilan=20_700_000)
    idle = make_worker(city.lingkungan[3])
    # Underpayment, then a top-up.
    _pay(plain, "2025-06", 8_000, "2025-06-10", "P-1")
    _pay(plain, "2025-06", 8_800, "2025-06-25", "P-2")
    # Covered, reversed later, topped up again: two spans.
    paid = _pay(plain, "2025-07", 16_800, "2025-07-10", "P-3")
    reverse_payment(by=None, payment=paid, on=D(2025, 8, 2), reason="test")
    _pay(plain, "2025-07", 16_800, "2025-08-20", "P-4")
    # Reversed the same day: never covered.
    same_day = _pay(plain, "2025-08", 16_800, "2025-08-10", "P-5")
    reverse_payment(by=None, payment=same_day, on=D(2025, 8, 10), reason="test")
    # Two partial payments the same day that cover together; an overpayment; nothing at all.
    _pay(plain, "2025-09", 8_400, "2025-09-03", "P-6")
    _pay(plain, "2025-09", 8_400, "2025-09-03", "P-7")
    _pay(plain, "2025-10", 50_000, "2025-10-01", "P-8")
    # Paid in advance across a tariff change (halved from 2026 for transport), and a reversal of it.
    _pay(jht, "2026-01", 28_400, "2025-11-01", "J-1")
    _pay(jht, "2026-04", 20_000, "2025-11-01", "J-2")
    ahead = _pay(jht, "2026-02", 28_400, "2025-11-01", "J-3")
    reverse_payment(by=None, payment=ahead, on=D(2025, 11, 5), reason="test")
    _pay(jht, "2026-02", 30_000, "2025-11-06", "J-4")
    _pay(donor, "2025-06", 213_800, "2025-06-05", "D-1")
    _pay(donor, "2025-07", 1, "2025-07-05", "D-2")
    ids = [plain.pk, jht.pk, donor.pk, idle.pk]
    WorkerMonth.objects.create(
        worker=idle, periode=D(2025, 1, 1), periode_index=0, amount_due=1, amount_paid=0, kelurahan_id=idle.kelurahan_id
    )

    written_here = recompute_worker_months_here(ids)
    here = _months()
    assert written_here == len(here)
    if connection.vendor == "postgresql":
        assert recompute_coverage(ids) == written_here and _months() == here
    spans = {(m[1], m[5], m[6]) for m in here if m[0] == plain.pk}
    assert (D(2025, 7, 1), D(2025, 7, 10), D(2025, 8, 2)) in spans
    assert (D(2025, 7, 1), D(2025, 8, 20), None) in spans
    assert (D(2025, 8, 1), None, None) in spans
    assert not WorkerMonth.objects.filter(worker=idle).exists()
    if connection.vendor == "postgresql":
        assert ledger.recompute_worker_months(ids) == written_here and _months() == here
    else:
        assert ledger.recompute_worker_months(ids) == written_here
