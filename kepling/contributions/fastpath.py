"""PostgreSQL: extracts staged with COPY and merged set-based; coverage recomputed with window functions.

The rules are those of `kepling.contributions.imports` and `kepling.contributions.ledger`
(the portable path, used on SQLite, is the reference); this module only changes where the
work happens, so a million-row extract does not cross the wire a row at a time. Everything
runs in the caller's transaction and the temporary tables are dropped at commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.contributions.tariffs import TariffBook
from kepling.core.crypto import encrypt_text, mask_nik
from kepling.core.tabular import ImportResult
from kepling.regions.queries import mark_summaries_stale

if TYPE_CHECKING:
    from psycopg import Copy

    from kepling.accounts.models import User
    from kepling.contributions.imports import PaymentRow

# Sorts and hashes over a million staged rows stay in memory (this transaction only).
WORK_MEM = "SET LOCAL work_mem = '256MB'"
# COPY's text format: a backslash, tab or line break inside a value is written as an escape.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
STAGED_COLUMNS = "row_number, nik_hash, nik_encrypted, nik_masked, kpj, periode, jumlah, tanggal_bayar, referensi"


def conflict_message(referensi: str) -> str:
    """The reason given for a reference the ledger already holds for a different payment."""
    return _("Reference %(ref)s is already in the ledger for a different payment.") % {"ref": referensi}


def _temp_table(cursor: Any, name: str, columns: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")


class StagedPayments:
    """The valid rows of one extract in a temporary table, then merged into the ledger on `referensi`.

    The rows go to the server through one `COPY` kept open while the file is read, so the server
    stores each chunk while the next one is checked (psycopg sends COPY data from its own
    thread). Every NIK is staged encrypted, once per distinct NIK; the merge keeps the
    encrypted NIK only on payments no registered worker matches (kept for reconciliation).
    """

    def __init__(self, batch: str) -> None:
        self.batch = batch
        self.staged = 0
        self.encrypted: dict[str, str] = {}  # NIK -> its encrypted form, for this file
        self._stream = ExitStack()
        self._copy: Copy | None = None
        with connection.cursor() as cursor:
            cursor.execute(WORK_MEM)
            _temp_table(
                cursor,
                "payment_staging",
                "row_number integer NOT NULL, nik_hash varchar(64) NOT NULL, nik_encrypted text NOT NULL,"
                " nik_masked varchar(16) NOT NULL, kpj varchar(11) NOT NULL, periode date NOT NULL,"
                " jumlah integer NOT NULL, tanggal_bayar date NOT NULL, referensi varchar(80) NOT NULL",
            )
            _temp_table(cursor, "payment_touched", "worker_id bigint, since date NOT NULL")

    def _encrypted(self, nik: str) -> str:
        found = self.encrypted.get(nik)
        if found is None:
            found = self.encrypted[nik] = encrypt_text(nik)
        return found

    def add(self, rows: Sequence[PaymentRow]) -> None:
        """Send valid rows to the staging table (one block of COPY text per chunk)."""
        if self._copy is None:
            cursor = self._stream.enter_context(connection.cursor())
            sql = f"COPY payment_staging ({STAGED_COLUMNS}) FROM STDIN"
            self._copy = self._stream.enter_context(cursor.cursor.copy(sql))
        # Formatting a million rows value by value through the driver costs more than the rest
        # of the read.
        lines = [
            "\t".join(
                (
                    str(r.row),
                    r.nik_hash,
                    self._encrypted(r.nik),
                    mask_nik(r.nik).translate(COPY_ESCAPES),
                    r.kpj.translate(COPY_ESCAPES),
                    r.periode.isoformat(),
                    str(r.jumlah),
                    r.tanggal_bayar.isoformat(),
                    r.referensi.translate(COPY_ESCAPES),
                )
            )
            for r in rows
        ]
        self._copy.write("\n".join(lines) + "\n")
        self.staged += len(rows)

    def finish(self) -> None:
        """End the COPY: every staged row is in the table."""
        self._copy = None
        self._stream.close()

    def abort(self, error: BaseException) -> None:
        """End the COPY with an error (the transaction is then rolled back)."""
        self._copy = None
        self._stream.__exit__(type(error), error, error.__traceback__)

    def merge(self, result: ImportResult, *, by: User | None, dry_run: bool) -> None:
        """Count what the ledger already holds, reject conflicting references, insert the rest."""
        self.finish()
        if not self.staged:
            return
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE payment_staging")
            # One row per conflicting reference; every identical one falls in the single NULL group.
            cursor.execute(
                """
                SELECT CASE WHEN same THEN NULL ELSE row_number END,
                       CASE WHEN same THEN NULL ELSE referensi END, count(*)
                FROM (
                    SELECT s.row_number, s.referensi,
                           (p.nik_hash, p.periode, p.jumlah, p.tanggal_bayar)
                           = (s.nik_hash, s.periode, s.jumlah, s.tanggal_bayar) AS same
                    FROM payment_staging s JOIN contributions_payment p ON p.referensi = s.referensi
                ) matched
                GROUP BY 1, 2 ORDER BY 1
                """
            )
            stored = 0
            for row_number, referensi, count in cursor.fetchall():
                stored += count
                if row_number is None:
                    result.already_present += count
                else:
                    result.reject(row_number, [("referensi", conflict_message(referensi))])
            applied = self.staged - stored
            result.applied += applied
            if dry_run or not applied:
                return
            only_new = "NOT EXISTS (SELECT 1 FROM contributions_payment p WHERE p.referensi = s.referensi)"
            if not stored:
                only_new = "TRUE"  # nothing staged is in the ledger: no anti-join needed
            cursor.execute(
                f"""
                WITH added AS (
                    INSERT INTO contributions_payment (
                        worker_id, nik_hash, nik_encrypted, nik_masked, kpj, periode, jumlah, tanggal_bayar,
                        referensi, kelurahan_id, import_batch, created_by_id, created_at
                    )
                    SELECT w.id, s.nik_hash, CASE WHEN w.id IS NULL THEN s.nik_encrypted ELSE '' END,
                           s.nik_masked, s.kpj, s.periode, s.jumlah, s.tanggal_bayar, s.referensi,
                           w.kelurahan_id, %s, %s, %s
                    FROM payment_staging s LEFT JOIN workers_worker w ON w.nik_hash = s.nik_hash
                    WHERE {only_new}
                    ORDER BY s.row_number
                    RETURNING worker_id, tanggal_bayar
                )
                INSERT INTO payment_touched (worker_id, since)
                SELECT worker_id, min(tanggal_bayar) FROM added GROUP BY worker_id
                """,  # noqa: S608 - no user text in the statement
                [self.batch, by.pk if by is not None else None, timezone.now()],
            )

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


# Most months are paid on one day: covered from that day when the day's total reaches the amount
# due. Only months with payments on several days need the running balance (window functions).
COVERAGE_SQL = """
INSERT INTO contributions_workermonth (
    worker_id, periode, periode_index, amount_due, amount_paid, paid_from, paid_until, kelurahan_id
)
WITH months AS (
    SELECT d.worker_id, d.periode, sum(d.amount) AS total, du.due, w.kelurahan_id,
           count(*) AS paying_days, min(d.day) AS first_day
    FROM coverage_daily d
    JOIN workers_worker w ON w.id = d.worker_id
    JOIN coverage_due du ON du.periode = d.periode AND du.program = w.program AND du.sektor = w.sektor
        AND du.sumber_iuran = w.sumber_iuran AND du.penghasilan = w.penghasilan
    GROUP BY d.worker_id, d.periode, du.due, w.kelurahan_id
),
days AS (
    -- coverage is judged on each day's closing balance
    SELECT d.worker_id, d.periode, d.day,
           sum(d.amount) OVER (PARTITION BY d.worker_id, d.periode ORDER BY d.day) >= m.due AS covered
    FROM coverage_daily d JOIN months m ON m.worker_id = d.worker_id AND m.periode = d.periode
    WHERE m.paying_days > 1
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
    SELECT worker_id, periode, total, due, kelurahan_id,
           CASE WHEN total >= due THEN first_day END AS paid_from, NULL::date AS paid_until
    FROM months WHERE paying_days = 1
    UNION ALL
    SELECT m.worker_id, m.periode, m.total, m.due, m.kelurahan_id, s.paid_from, s.paid_until
    FROM months m
    LEFT JOIN spans s ON s.worker_id = m.worker_id AND s.periode = m.periode AND s.covered
    WHERE m.paying_days > 1
)
-- in worker order, so the (worker, paid_from) index is written page after page
SELECT worker_id, periode, (extract(year FROM periode) * 12 + extract(month FROM periode) - 1)::integer,
       due, total, paid_from, paid_until, kelurahan_id
FROM coverage
ORDER BY worker_id, periode, paid_from
"""


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
        cursor.execute("DROP TABLE IF EXISTS coverage_daily")
        cursor.execute(
            "CREATE TEMP TABLE coverage_daily ON COMMIT DROP AS"
            " SELECT p.worker_id, p.periode, p.tanggal_bayar AS day, sum(p.jumlah) AS amount"
            " FROM contributions_payment p JOIN coverage_workers t ON t.worker_id = p.worker_id"
            " GROUP BY p.worker_id, p.periode, p.tanggal_bayar"
        )
        cursor.execute("ANALYZE coverage_daily")
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


def _fill_due(cursor: Any, book: TariffBook) -> None:
    """The amount due per distinct (month, program, sector, payer, income), from the one tariff function."""
    _temp_table(
        cursor,
        "coverage_due",
        "periode date, program varchar(20), sektor varchar(20), sumber_iuran varchar(10),"
        " penghasilan integer, due bigint",
    )
    # Every month paid for with every tariff combination of the workers concerned: a few hundred
    # rows at most, some never used, cheaper than finding the exact pairs among a million.
    cursor.execute(
        "SELECT m.periode, c.program, c.sektor, c.sumber_iuran, c.penghasilan"
        " FROM (SELECT DISTINCT periode FROM coverage_daily) m"
        " CROSS JOIN (SELECT DISTINCT w.program, w.sektor, w.sumber_iuran, w.penghasilan"
        "             FROM workers_worker w JOIN coverage_workers t ON t.worker_id = w.id) c"
    )
    combos: list[tuple[datetime.date, str, str, str, int]] = cursor.fetchall()
    with cursor.cursor.copy(
        "COPY coverage_due (periode, program, sektor, sumber_iuran, penghasilan, due) FROM STDIN"
    ) as copy:
        for month, program, sektor, payer, income in combos:
            due = book.due(month=month, program=program, sektor=sektor, sumber_iuran=payer, penghasilan=income)
            copy.write_row((month, program, sektor, payer, income, due.total))
    cursor.execute("ANALYZE coverage_due")
