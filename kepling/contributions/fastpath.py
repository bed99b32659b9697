"""PostgreSQL: extracts staged with COPY and merged set-based; coverage recomputed with window functions.

The rules are those of `kepling.contributions.imports` and `kepling.contributions.ledger`
(the portable path, used on SQLite, is the reference); this module only changes where the
work happens, so a million-row extract does not cross the wire a row at a time. Everything
runs in the caller's transaction and the temporary tables are dropped at commit.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.contributions.models import HeldCancellation
from kepling.contributions.tariffs import TariffBook
from kepling.core.crypto import encrypt_text, mask_nik
from kepling.core.periods import month_index
from kepling.core.tabular import ImportResult
from kepling.regions.queries import mark_summaries_stale

if TYPE_CHECKING:
    from kepling.accounts.models import User
    from kepling.contributions.imports import PaymentRow

# Sorts and hashes over a million staged rows stay in memory (this transaction only).
WORK_MEM = "SET LOCAL work_mem = '256MB'"
# COPY's text format: a backslash, tab or line break inside a value is written as an escape.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def conflict_message(referensi: str) -> str:
    """The reason given for a reference the ledger already holds for a different payment."""
    return _("Reference %(ref)s is already in the ledger for a different payment.") % {"ref": referensi}


def _temp_table(cursor: Any, name: str, columns: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")


# Rows sent to the server in one block and merged into the ledger together.
LEDGER_CHUNK = 50_000
# NIKs whose staged columns are kept for the rest of the file (a file of strangers stays bounded).
PEOPLE_REMEMBERED = 200_000
# Blocks waiting for the ledger writer while the reader goes on: enough to keep both busy.
BLOCKS_AHEAD = 2

# A block's columns, in the order of its COPY text (`StagedPayments.add`).
CHUNK_FIELDS = [
    ("row_number", "integer"),
    ("nik_hash", "varchar(64)"),
    ("nik_encrypted", "text"),
    ("nik_masked", "varchar(16)"),
    ("kpj", "varchar(11)"),
    ("periode", "date"),
    ("jumlah", "integer"),
    ("tanggal_bayar", "date"),
    ("referensi", "varchar(80)"),
]
CHUNK_COLUMNS = ", ".join(f"{name} {kind} NOT NULL" for name, kind in CHUNK_FIELDS)
STAGED_COLUMNS = ", ".join(name for name, _kind in CHUNK_FIELDS)

# A block is small next to the ledger and the registry, so both are looked up by index, a row at a
# time, whatever the statistics of the moment say: `OFFSET 0` keeps each look-up a subquery run
# per row (the planner would otherwise be free to read a whole table into a hash).

# One row per conflicting reference; every identical one falls in the single NULL group. A
# reference held by a cancellation waiting for its payment is taken (its reversal will carry it).
STORED_SQL = """
SELECT CASE WHEN same THEN NULL ELSE row_number END, CASE WHEN same THEN NULL ELSE referensi END, count(*)
FROM (
    SELECT s.row_number, s.referensi,
           (p.nik_hash, p.periode, p.jumlah, p.tanggal_bayar) = (s.nik_hash, s.periode, s.jumlah, s.tanggal_bayar)
           AS same
    FROM payment_chunk s
    CROSS JOIN LATERAL (
        SELECT nik_hash, periode, jumlah, tanggal_bayar FROM contributions_payment p
        WHERE p.referensi = s.referensi OFFSET 0
    ) p
    {held}
) matched
GROUP BY 1, 2 ORDER BY 1
"""
HELD_TAKEN = """
    UNION ALL
    SELECT s.row_number, s.referensi, false
    FROM payment_chunk s
    WHERE EXISTS (SELECT FROM contributions_heldcancellation h WHERE h.referensi = s.referensi)
"""

# Each NIK of the block is looked up once (an extract repeats a worker's NIK for every month paid).
INSERT_SQL = """
WITH people AS (
    SELECT w.id, w.nik_hash, w.kelurahan_id
    FROM (SELECT DISTINCT nik_hash FROM payment_chunk) h
    CROSS JOIN LATERAL (
        SELECT id, nik_hash, kelurahan_id FROM workers_worker w WHERE w.nik_hash = h.nik_hash OFFSET 0
    ) w
),
added AS (
    INSERT INTO contributions_payment (
        worker_id, nik_hash, nik_encrypted, nik_masked, kpj, periode, jumlah, tanggal_bayar,
        referensi, kelurahan_id, import_batch, created_by_id, created_at
    )
    SELECT w.id, s.nik_hash, CASE WHEN w.id IS NULL THEN s.nik_encrypted ELSE '' END,
           s.nik_masked, s.kpj, s.periode, s.jumlah, s.tanggal_bayar, s.referensi,
           w.kelurahan_id, %s, %s, %s
    FROM payment_chunk s LEFT JOIN people w ON w.nik_hash = s.nik_hash
    WHERE {only_new}
    ORDER BY s.row_number
    RETURNING worker_id, tanggal_bayar
)
INSERT INTO payment_touched (worker_id, since)
SELECT worker_id, min(tanggal_bayar) FROM added GROUP BY worker_id
"""
ONLY_NEW = "(SELECT p.id FROM contributions_payment p WHERE p.referensi = s.referensi OFFSET 0) IS NULL"
ONLY_NEW_NOT_HELD = " AND NOT EXISTS (SELECT FROM contributions_heldcancellation h WHERE h.referensi = s.referensi)"


class BlockOutcome(NamedTuple):
    """What merging one block found: rows already in the ledger, conflicting references, rows added."""

    already_present: int
    conflicts: list[tuple[int, str]]
    applied: int


class StagedPayments:
    """The valid rows of one extract, merged into the ledger on `referensi` a block at a time.

    The reader checks the file in Python while the server merges the previous block: a single
    thread (`ledger-writer`) owns the connection between the first block and `finish`, copies
    each block into a temporary table and runs the merge statements, so both cores work. Blocks
    are merged in file order, so ledger ids follow the file. Every NIK is staged encrypted,
    once per distinct NIK; the merge keeps the encrypted NIK only on payments no registered
    worker matches (kept for reconciliation).
    """

    def __init__(self, batch: str, result: ImportResult, *, by: User | None, dry_run: bool) -> None:
        self.result, self.dry_run = result, dry_run
        self._people: dict[str, str] = {}  # NIK -> its columns, encrypted once per file
        self._days: dict[datetime.date, str] = {}
        self._lines: list[str] = []
        self._stamp = [batch, by.pk if by is not None else None, timezone.now()]
        self._pending: deque[Future[BlockOutcome]] = deque()
        # Cancellations are held only after the file's payments are merged, so this holds for the whole file;
        # without any, a million rows are spared a look-up each.
        self._held = HeldCancellation.objects.exists()
        with connection.cursor() as cursor:
            cursor.execute(WORK_MEM)
            _temp_table(cursor, "payment_chunk", CHUNK_COLUMNS)
            _temp_table(cursor, "payment_touched", "worker_id bigint, since date NOT NULL")
        self._connection = connection.connection  # the driver's connection, same transaction
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-writer")

    def _person(self, row: PaymentRow) -> str:
        """The NIK columns of a row as COPY text: hash, encrypted NIK and masked NIK, once per NIK."""
        found = self._people.get(row.nik)
        if found is None:
            # a checked NIK is 16 digits: nothing in these three needs escaping
            found = f"{row.nik_hash}\t{encrypt_text(row.nik)}\t{mask_nik(row.nik)}"
            if len(self._people) < PEOPLE_REMEMBERED:
                self._people[row.nik] = found
        return found

    def _day(self, day: datetime.date) -> str:
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = day.isoformat()
        return found

    def add(self, rows: Sequence[PaymentRow]) -> None:
        """Queue valid rows; a full block goes to the ledger writer."""
        # Formatting a million rows value by value through the driver costs more than the rest
        # of the read, so each row becomes one line of COPY text here, the repeated parts
        # (a worker's NIK, a date) formatted once.
        person, day = self._person, self._day
        self._lines.extend(
            f"{r.row}\t{person(r)}\t{r.kpj.translate(COPY_ESCAPES)}\t{day(r.periode)}\t{r.jumlah}"
            f"\t{day(r.tanggal_bayar)}\t{r.referensi.translate(COPY_ESCAPES)}"
            for r in rows
        )
        if len(self._lines) >= LEDGER_CHUNK:
            self._send()

    def _send(self) -> None:
        if not self._lines:
            return
        block, count = "\n".join(self._lines) + "\n", len(self._lines)
        self._lines = []
        self._pending.append(self._writer.submit(self._merge_block, block, count))
        while len(self._pending) > BLOCKS_AHEAD:
            self._count(self._pending.popleft().result())

    def _count(self, outcome: BlockOutcome) -> None:
        self.result.already_present += outcome.already_present
        self.result.applied += outcome.applied
        for row_number, referensi in outcome.conflicts:
            self.result.reject(row_number, [("referensi", conflict_message(referensi))])

    def _merge_block(self, block: str, count: int) -> BlockOutcome:
        """Runs on the ledger writer: stage one block, count what the ledger holds, insert the rest."""
        with self._connection.cursor() as cursor:
            cursor.execute("TRUNCATE payment_chunk")
            with cursor.copy(f"COPY payment_chunk ({STAGED_COLUMNS}) FROM STDIN") as copy:
                copy.write(block)
            cursor.execute(STORED_SQL.format(held=HELD_TAKEN if self._held else ""))
            already, conflicts = 0, []
            for row_number, referensi, found in cursor.fetchall():
                if row_number is None:
                    already += found
                else:
                    conflicts.append((row_number, referensi))
            applied = count - already - len(conflicts)
            if applied and not self.dry_run:
                only_new = ONLY_NEW + (ONLY_NEW_NOT_HELD if self._held else "") if already or conflicts else "TRUE"
                # the block is joined to its own few people by hash, never row against row
                cursor.execute("SET LOCAL enable_nestloop = off")
                cursor.execute(INSERT_SQL.format(only_new=only_new), self._stamp)
                cursor.execute("RESET enable_nestloop")
        return BlockOutcome(already, conflicts, applied)

    def finish(self) -> None:
        """Merge the last block and wait for the writer: the ledger then holds the whole file."""
        try:
            self._send()  # may already raise a failed block's error: the writer must still stop
            while self._pending:
                self._count(self._pending.popleft().result())
        finally:
            self._writer.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Stop merging (the transaction is then rolled back): blocks not started are dropped."""
        self._lines = []
        self._writer.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()

    def refresh_coverage(self, book: TariffBook | None = None) -> None:
        """Recompute the touched workers' coverage; mark their lingkungan summaries stale from the earliest payment."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(since), count(worker_id) FROM payment_touched")
            earliest, workers = cursor.fetchone()
            if not workers or earliest is None:
                return
            recompute_coverage(book=book, from_table="payment_touched")
            cursor.execute(
                "SELECT DISTINCT w.lingkungan_id FROM workers_worker w JOIN payment_touched t ON t.worker_id = w.id"
            )
            lingkungan = [i for (i,) in cursor.fetchall()]
        mark_summaries_stale(lingkungan, earliest)


# A month whose payments all came on one day is covered from that day when they reach the amount
# due; most months are. Only months paid on several days need the running balance of each day's
# closing total (window functions over `coverage_daily`).
# Each month of coverage_months with the amount due and the worker's kelurahan.
PRICED_MONTHS = """
    coverage_months m
    JOIN workers_worker w ON w.id = m.worker_id
    JOIN coverage_due du ON du.periode = m.periode AND du.program = w.program AND du.sektor = w.sektor
        AND du.sumber_iuran = w.sumber_iuran AND du.penghasilan = w.penghasilan
"""
COVERAGE_SQL = f"""
INSERT INTO contributions_workermonth (
    worker_id, periode, periode_index, amount_due, amount_paid, paid_from, paid_until, kelurahan_id
)
WITH several_days AS (
    SELECT m.worker_id, m.periode, du.periode_index, m.total, du.due, w.kelurahan_id
    FROM {PRICED_MONTHS}
    WHERE m.first_day < m.last_day
),
days AS (
    SELECT d.worker_id, d.periode, d.day,
           sum(d.amount) OVER (PARTITION BY d.worker_id, d.periode ORDER BY d.day) >= m.due AS covered
    FROM coverage_daily d JOIN several_days m ON m.worker_id = d.worker_id AND m.periode = d.periode
),
changes AS (
    SELECT worker_id, periode, day, covered,
           lag(covered, 1, false) OVER (PARTITION BY worker_id, periode ORDER BY day) AS was_covered
    FROM days
),
spans AS (
    -- transitions alternate: covered from a day, uncovered from the next transition's day
    SELECT worker_id, periode, covered, day AS paid_from,
           lead(day) OVER (PARTITION BY worker_id, periode ORDER BY day) AS paid_until
    FROM changes WHERE covered <> was_covered
),
coverage AS (
    SELECT m.worker_id, m.periode, du.periode_index, m.total, du.due, w.kelurahan_id,
           CASE WHEN m.total >= du.due THEN m.first_day END AS paid_from, NULL::date AS paid_until
    FROM {PRICED_MONTHS}
    WHERE m.first_day = m.last_day
    UNION ALL
    SELECT m.worker_id, m.periode, m.periode_index, m.total, m.due, m.kelurahan_id, s.paid_from, s.paid_until
    FROM several_days m
    LEFT JOIN spans s ON s.worker_id = m.worker_id AND s.periode = m.periode AND s.covered
)
-- In worker order, so the (worker, paid_from) index is written page after page: coverage_months
-- is stored in that order and read as the probe side of the hash joins, which keep it (a sort of
-- the million joined rows here would cost more than the order saves).
SELECT worker_id, periode, periode_index, due, total, paid_from, paid_until, kelurahan_id
FROM coverage
"""  # noqa: S608 - built from constants only


def recompute_coverage(
    worker_ids: Iterable[int] = (), *, book: TariffBook | None = None, from_table: str | None = None
) -> int:
    """`recompute_worker_months` in SQL: the same WorkerMonth rows, for the ids given or a table's worker_id."""
    book = book or TariffBook()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(WORK_MEM)
        _temp_table(cursor, "coverage_workers", "worker_id bigint PRIMARY KEY")
        if from_table is not None:
            cursor.execute(
                f"INSERT INTO coverage_workers SELECT DISTINCT worker_id FROM {from_table}"  # noqa: S608
                " WHERE worker_id IS NOT NULL"
            )
        else:
            with cursor.cursor.copy("COPY coverage_workers (worker_id) FROM STDIN") as copy:
                for worker_id in set(worker_ids):
                    copy.write_row((worker_id,))
        cursor.execute("ANALYZE coverage_workers")
        _temp_table_as(
            cursor,
            "coverage_months",
            "SELECT p.worker_id, p.periode, sum(p.jumlah) AS total,"
            " min(p.tanggal_bayar) AS first_day, max(p.tanggal_bayar) AS last_day"
            " FROM contributions_payment p JOIN coverage_workers t ON t.worker_id = p.worker_id"
            " GROUP BY p.worker_id, p.periode ORDER BY p.worker_id, p.periode",
        )
        _temp_table_as(
            cursor,
            "coverage_daily",
            "SELECT p.worker_id, p.periode, p.tanggal_bayar AS day, sum(p.jumlah) AS amount"
            " FROM contributions_payment p JOIN coverage_months m"
            " ON m.worker_id = p.worker_id AND m.periode = p.periode AND m.first_day < m.last_day"
            " GROUP BY p.worker_id, p.periode, p.tanggal_bayar",
        )
        _fill_due(cursor, book)
        cursor.execute(
            "DELETE FROM contributions_workermonth m USING coverage_workers t WHERE m.worker_id = t.worker_id"
        )
        # Rows written earlier in the same transaction (a scenario build, a large import) are not
        # in the planner's statistics yet; a nested loop over the month aggregate would then be
        # quadratic, so this statement is planned with hash joins only.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(COVERAGE_SQL)
        written = int(cursor.rowcount)
        cursor.execute("RESET enable_nestloop")
        return written


def _temp_table_as(cursor: Any, name: str, query: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {query}")
    cursor.execute(f"ANALYZE {name}")


def _fill_due(cursor: Any, book: TariffBook) -> None:
    """The amount due per distinct (month, program, sector, payer, income), from the one tariff function."""
    _temp_table(
        cursor,
        "coverage_due",
        "periode date, periode_index integer, program varchar(20), sektor varchar(20), sumber_iuran varchar(10),"
        " penghasilan integer, due bigint",
    )
    # Every month paid for with every tariff combination of the workers concerned: a few hundred
    # rows at most, some never used, cheaper than finding the exact pairs among a million.
    cursor.execute(
        "SELECT m.periode, c.program, c.sektor, c.sumber_iuran, c.penghasilan"
        " FROM (SELECT DISTINCT periode FROM coverage_months) m"
        " CROSS JOIN (SELECT DISTINCT w.program, w.sektor, w.sumber_iuran, w.penghasilan"
        "             FROM workers_worker w JOIN coverage_workers t ON t.worker_id = w.id) c"
    )
    combos: list[tuple[datetime.date, str, str, str, int]] = cursor.fetchall()
    with cursor.cursor.copy(
        "COPY coverage_due (periode, periode_index, program, sektor, sumber_iuran, penghasilan, due) FROM STDIN"
    ) as copy:
        for month, program, sektor, payer, income in combos:
            due = book.due(month=month, program=program, sektor=sektor, sumber_iuran=payer, penghasilan=income)
            copy.write_row((month, month_index(month), program, sektor, payer, income, due.total))
    cursor.execute("ANALYZE coverage_due")
