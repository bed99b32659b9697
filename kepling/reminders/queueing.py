"""Queueing the reminders due on a date, set-based: one INSERT ... SELECT per rule that fires.

The candidate selection follows the status engine's definitions (kepling.contributions.status):
a month is paid on day D when a WorkerMonth span contains D; arrears are the months after the
latest paid month whose due date is before D. It is written as SQL so 900,000 workers queue in
seconds; the tests check it against `with_status` and `standing`. On PostgreSQL a run is spread
over several connections, one range of worker ids each (kepling.reminders.shards).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kepling.contributions.status import ARREARS_BEFORE_INACTIVE
from kepling.contributions.tariffs import TariffBook
from kepling.core.periods import last_due_month_before, month_index
from kepling.reminders.defaults import DEFAULT_RULES
from kepling.reminders.messages import firing_month
from kepling.reminders.models import MessageStatus, ReminderRule, RuleKind
from kepling.reminders.partitions import QUEUEING_LOCK, ensure_month_partition, partitioned, summarize_new_ids
from kepling.reminders.shards import EVERY_WORKER, Shard, run_in_shards, worker_shards

TARIFF_TABLE = "reminders_tmp_tariff"

# A range of workers smaller than this is queued by one connection: another costs more than it saves.
SHARD_MIN_WORKERS = 100_000

STANDING_TABLE = "reminders_tmp_standing"

# Per worker with a paid month on the day: the latest paid month, and whether `month` is paid.
STANDING_SQL = """
INSERT INTO reminders_tmp_standing (worker_id, latest, has_month)
SELECT worker_id, MAX(periode_index), MAX(CASE WHEN periode_index = %s THEN 1 ELSE 0 END)
FROM contributions_workermonth
WHERE paid_from <= %s AND (paid_until IS NULL OR paid_until > %s) AND worker_id BETWEEN %s AND %s
GROUP BY worker_id
"""

RULES_TABLE = "reminders_tmp_rules"

# What every candidate query returns of a worker (with the rule id), and the workers it may pick:
# those of the run's range of ids (kepling.reminders.shards), registered and not withdrawn on the
# day (parameters: first and last id, the day twice).
CANDIDATE_COLUMNS = "w.id, w.kelurahan_id, w.lingkungan_id, w.program, w.sektor, w.sumber_iuran, w.penghasilan"
REGISTERED = "w.tanggal_daftar <= %s AND (w.withdrawn_on IS NULL OR w.withdrawn_on > %s)"
ON_THE_REGISTER = f"w.id BETWEEN %s AND %s AND {REGISTERED}"

# `{{rule}}` is a rule id (an integer) written into the statement, `{{columns}}` the worker's
# columns read (CANDIDATE_COLUMNS, or only `w.id` for a re-run's first step).
CANDIDATES_SQL = f"""
SELECT {{columns}}, {{rule}} AS rule_id
FROM workers_worker w
LEFT JOIN reminders_tmp_standing p ON p.worker_id = w.id
WHERE {ON_THE_REGISTER} AND {{condition}}
"""  # noqa: S608 - built from constants only

# A before-due rule for the standing table's month: every worker but those whose standing rules
# them out (the month paid, or inactive). Written as an anti-join so the few excluded are hashed
# and the workers read once in their own order, rather than every worker hashed to be joined.
BEFORE_DUE_CANDIDATES_SQL = f"""
SELECT {{columns}}, {{rule}} AS rule_id
FROM workers_worker w
WHERE {ON_THE_REGISTER}
  AND NOT EXISTS (
      SELECT 1 FROM reminders_tmp_standing p WHERE p.worker_id = w.id AND (p.latest < %s OR p.has_month <> 0))
"""  # noqa: S608 - built from constants only

# Every arrears rule of a month in one pass over the workers: each picks the latest paid month
# its arrears count implies (one row per rule in reminders_tmp_rules).
ARREARS_CANDIDATES_SQL = f"""
SELECT {CANDIDATE_COLUMNS}, r.rule_id
FROM workers_worker w
JOIN reminders_tmp_standing p ON p.worker_id = w.id
JOIN reminders_tmp_rules r ON r.latest = p.latest
WHERE {ON_THE_REGISTER}
"""  # noqa: S608 - built from constants only

# The (worker, rule) pairs of the arrears rules, for a re-run: they mostly turn out queued
# already (the rules are re-checked daily until the next month's turn, so a missed day is caught
# up), so the pairs come from the standing table, and of the workers only the few off the
# register that day are read (a scan, not a join of every worker).
ARREARS_PAIRS_SQL = f"""
SELECT p.worker_id AS id, r.rule_id
FROM reminders_tmp_standing p
JOIN reminders_tmp_rules r ON r.latest = p.latest
WHERE p.worker_id NOT IN (SELECT w.id FROM workers_worker w WHERE w.id BETWEEN %s AND %s AND NOT ({REGISTERED}))
"""  # noqa: S608 - built from constants only

# A before-due rule whose month is not the one in the standing table (only with unusual offsets).
MONTH_UNPAID_SQL = """NOT EXISTS (
    SELECT 1 FROM contributions_workermonth m
    WHERE m.worker_id = w.id AND m.periode_index = %s AND m.paid_from <= %s
      AND (m.paid_until IS NULL OR m.paid_until > %s))"""


# In worker order, so consecutive rows land in neighbouring index pages (unsorted, a run of
# 800,000 rows takes half as long again). On PostgreSQL the runs are serialised by an advisory
# lock and rows already queued are left out by an anti-join (FRESH_CANDIDATES_SQL); SQLite (one writer at
# a time) lets the unique key skip them ({on_conflict}).
INSERT_SQL = """
INSERT INTO reminders_outboxmessage
    (worker_id, rule_id, periode, jumlah, channel, "to", body, status, attempts, last_error, queued_on,
     provider_reference, kelurahan_id, lingkungan_id, created_at)
SELECT c.id, c.rule_id, %s, t.jumlah, %s, '', '', %s, 0, '', %s, '', c.kelurahan_id, c.lingkungan_id, %s
FROM {candidates} c
JOIN reminders_tmp_tariff t
  ON t.program = c.program AND t.sektor = c.sektor AND t.payer = c.sumber_iuran AND t.penghasilan = c.penghasilan
ORDER BY c.id
{on_conflict}
"""

# A re-run's candidates are found in two steps. First the (worker, rule) pairs not yet queued
# for the month go into FRESH_TABLE, while every rule's candidates are counted; then only those
# pairs are read with their workers' details, priced and queued. A re-run usually finds no new
# pair, and then reads no worker at all.
FRESH_TABLE = "reminders_tmp_fresh"
FRESH_PAIRS_SQL = """
WITH picked AS ({picked}),
fresh AS (
    INSERT INTO reminders_tmp_fresh (id, rule_id)
    SELECT c.id, c.rule_id FROM picked c
    WHERE NOT EXISTS (
        SELECT 1 FROM reminders_outboxmessage o
        WHERE o.periode = %s AND o.worker_id BETWEEN %s AND %s AND o.rule_id = c.rule_id AND o.worker_id = c.id))
SELECT rule_id, COUNT(*) FROM picked GROUP BY rule_id
"""
FRESH_CANDIDATES_SQL = f"""(
    SELECT {CANDIDATE_COLUMNS}, f.rule_id
    FROM reminders_tmp_fresh f
    JOIN workers_worker w ON w.id = f.id)"""  # noqa: S608 - built from constants only



@dataclass
class RuleRun:
    """What one rule queued on a date."""

    rule: str
    periode: datetime.date
    candidates: int = 0
    queued: int = 0

    @property
    def already_queued(self) -> int:
        return self.candidates - self.queued


@dataclass
class QueueResult:
    as_of: datetime.date
    dry_run: bool
    channel: str
    rules: list[RuleRun] = field(default_factory=list)

    @property
    def queued(self) -> int:
        return sum(r.queued for r in self.rules)

    @property
    def already_queued(self) -> int:
        return sum(r.already_queued for r in self.rules)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "channel": self.channel,
            "queued": self.queued,
            "already_queued": self.already_queued,
            "rules": [
                {
                    "rule": r.rule,
                    "periode": r.periode.strftime("%Y-%m"),
                    "queued": r.queued,
                    "already_queued": r.already_queued,
                }
                for r in self.rules
            ],
        }


def candidate_sql(
    rule: ReminderRule,
    month: datetime.date,
    as_of: datetime.date,
    standing_month: datetime.date | None,
    *,
    columns: str = CANDIDATE_COLUMNS,
    shard: Shard = EVERY_WORKER,
) -> tuple[str, list[Any]]:
    """The workers of `shard` that `rule` picks for `month` on `as_of`, as SQL and parameters
    (reads the standing table)."""
    day = connection.ops.adapt_datefield_value(as_of)
    register = [*shard.params(), day, day]
    last_due = month_index(last_due_month_before(as_of))
    params: list[Any]
    if rule.kind == RuleKind.ARREARS:
        condition, params = "p.latest = %s", [last_due - rule.arrears_months]
    elif month == standing_month:
        # not yet paid for the month and not inactive (or no paid month at all)
        sql = BEFORE_DUE_CANDIDATES_SQL.format(columns=columns, rule=int(rule.pk))
        return sql, [*register, last_due - ARREARS_BEFORE_INACTIVE]
    else:
        condition = f"(p.worker_id IS NULL OR (p.latest >= %s AND {MONTH_UNPAID_SQL}))"
        params = [last_due - ARREARS_BEFORE_INACTIVE, month_index(month), day, day]
    return CANDIDATES_SQL.format(columns=columns, rule=int(rule.pk), condition=condition), [*register, *params]


def arrears_candidate_sql(
    cursor: Any, rules: list[ReminderRule], as_of: datetime.date, shard: Shard = EVERY_WORKER
) -> tuple[str, list[Any]]:
    """The workers of `shard` every arrears rule in `rules` picks on `as_of` (fills the rules
    table, which ARREARS_PAIRS_SQL reads too)."""
    last_due = month_index(last_due_month_before(as_of))
    cursor.execute(f"DELETE FROM {RULES_TABLE}")  # noqa: S608
    cursor.executemany(
        f"INSERT INTO {RULES_TABLE} (rule_id, latest) VALUES (%s, %s)",  # noqa: S608
        [(rule.pk, last_due - rule.arrears_months) for rule in rules],
    )
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {RULES_TABLE}")
    day = connection.ops.adapt_datefield_value(as_of)
    return ARREARS_CANDIDATES_SQL, [*shard.params(), day, day]


def _tariff_rows(
    combos: Iterable[tuple[str, str, str, int]], month: datetime.date, book: TariffBook
) -> list[tuple[str, str, str, int, int]]:
    rows = []
    for program, sektor, payer, income in combos:
        due = book.due(month=month, program=program, sektor=sektor, sumber_iuran=payer, penghasilan=income).total
        rows.append((program, sektor, payer, income, due))
    return rows


def _lock_queueing(cursor: Any) -> None:
    """One queueing run at a time (PostgreSQL; SQLite has one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [QUEUEING_LOCK])


def _load_temp_tables(cursor: Any, spec: RunSpec, shard: Shard) -> None:
    _drop_temp_tables(cursor)
    postgres = connection.vendor == "postgresql"
    if postgres:
        # Queueing is idempotent (a lost run is redone by the next), so it need not wait for the
        # WAL flush; the hash joins and sorts over every worker want more than the default work_mem.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute("SET LOCAL work_mem TO '256MB'")
        # Compiling these few statements costs more than it saves (up to 0.7 s each).
        cursor.execute("SET LOCAL jit TO OFF")
    # PostgreSQL hash-joins the standing table; SQLite looks it up by key.
    key = "" if postgres else " PRIMARY KEY"
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STANDING_TABLE} (worker_id bigint{key}, latest integer, has_month integer)"
    )
    day = connection.ops.adapt_datefield_value(spec.as_of)
    wanted = month_index(spec.standing_month) if spec.standing_month else -1
    cursor.execute(STANDING_SQL, [wanted, day, day, *shard.params()])
    if postgres:
        cursor.execute(f"ANALYZE {STANDING_TABLE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {TARIFF_TABLE} (program varchar(20), sektor varchar(20), payer varchar(10), "
        "penghasilan integer, jumlah integer)"
    )
    cursor.execute(f"CREATE TEMPORARY TABLE {RULES_TABLE} (rule_id bigint, latest integer)")
    cursor.execute(f"CREATE TEMPORARY TABLE {FRESH_TABLE} (id bigint, rule_id bigint)")


def _drop_temp_tables(cursor: Any) -> None:
    for table in (TARIFF_TABLE, STANDING_TABLE, RULES_TABLE, FRESH_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _fill_tariffs(cursor: Any, rows: list[tuple[str, str, str, int, int]]) -> None:
    cursor.execute(f"DELETE FROM {TARIFF_TABLE}")  # noqa: S608
    cursor.executemany(f"INSERT INTO {TARIFF_TABLE} VALUES (%s, %s, %s, %s, %s)", rows)  # noqa: S608
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {TARIFF_TABLE}")  # a few dozen rows: hash-joined, not sorted


def _groups(firing: list[tuple[ReminderRule, datetime.date]]) -> list[tuple[datetime.date, list[ReminderRule]]]:
    """The rules to run together: on PostgreSQL every arrears rule of a month in one statement."""
    groups: list[tuple[datetime.date, list[ReminderRule]]] = []
    arrears: dict[datetime.date, list[ReminderRule]] = {}
    for rule, month in firing:
        if rule.kind == RuleKind.ARREARS and connection.vendor == "postgresql":
            if month not in arrears:
                arrears[month] = []
                groups.append((month, arrears[month]))
            arrears[month].append(rule)
        else:
            groups.append((month, [rule]))
    return groups


@dataclass
class Batch:
    """One statement's work: rules of one month, their candidates' SQL, and the values written."""

    rules: list[ReminderRule]
    month: datetime.date
    candidates: tuple[str, list[Any]]
    # The same workers as (id, rule_id) pairs, read as narrowly as the rules allow (for re-runs).
    pairs: tuple[str, list[Any]]
    channel: str
    as_of: datetime.date
    shard: Shard

    def insert_params(self) -> list[Any]:
        return [
            connection.ops.adapt_datefield_value(self.month),
            self.channel,
            MessageStatus.QUEUED.value,
            connection.ops.adapt_datefield_value(self.as_of),
            connection.ops.adapt_datetimefield_value(timezone.now()),
        ]

    def runs(self, candidates: dict[int, int], inserted: dict[int, int]) -> list[RuleRun]:
        return [
            RuleRun(rule.code, self.month, candidates.get(rule.pk, 0), inserted.get(rule.pk, 0)) for rule in self.rules
        ]


def _per_rule(cursor: Any) -> dict[int, int]:
    """The (rule id, count) rows a statement returned, as a dict."""
    return {int(rule_id): int(count) for rule_id, count in cursor.fetchall()}


def _preview(cursor: Any, batch: Batch) -> list[RuleRun]:
    cand_sql, cand_params = batch.candidates
    cursor.execute(
        f"SELECT c.rule_id, COUNT(*), COUNT(o.id) FROM ({cand_sql}) c LEFT JOIN reminders_outboxmessage o "  # noqa: S608
        "ON o.worker_id = c.id AND o.rule_id = c.rule_id AND o.periode = %s GROUP BY c.rule_id",
        [*cand_params, connection.ops.adapt_datefield_value(batch.month)],
    )
    rows = cursor.fetchall()
    return batch.runs({int(r): int(t) for r, t, _ in rows}, {int(r): int(t) - int(e) for r, t, e in rows})


def _insert_postgres(cursor: Any, batch: Batch) -> list[RuleRun]:
    cand_sql, cand_params = batch.candidates
    periode = connection.ops.adapt_datefield_value(batch.month)
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM reminders_outboxmessage WHERE periode = %s AND rule_id = ANY(%s))",
        [periode, [rule.pk for rule in batch.rules]],
    )
    if not cursor.fetchone()[0]:
        # The first run of these rules for the month (the usual case): every candidate is new.
        insert = INSERT_SQL.format(candidates=f"({cand_sql})", on_conflict="")
        params = [*batch.insert_params(), *cand_params]  # the SELECT list's parameters come first
        if len(batch.rules) == 1:
            cursor.execute(insert, params)
            inserted = {batch.rules[0].pk: max(cursor.rowcount, 0)}
        else:
            cursor.execute(
                f"WITH ins AS ({insert} RETURNING rule_id) "  # noqa: S608
                "SELECT rule_id, COUNT(*) FROM ins GROUP BY rule_id",
                params,
            )
            inserted = _per_rule(cursor)
        return batch.runs(inserted, inserted)
    return _insert_fresh(cursor, batch)


def _insert_fresh(cursor: Any, batch: Batch) -> list[RuleRun]:
    """A re-run: count every rule's candidates, set aside the pairs not yet queued, queue those."""
    pairs_sql, pairs_params = batch.pairs
    periode = connection.ops.adapt_datefield_value(batch.month)
    cursor.execute(f"DELETE FROM {FRESH_TABLE}")  # noqa: S608
    # Leaving out what is queued is one hash anti-join over the month's rows, not a probe per
    # pair (the statistics lag behind a run that just wrote the rows).
    cursor.execute("SET LOCAL enable_nestloop = off")
    # The shard's range again on the outbox side: only its part of the month's rows is hashed.
    cursor.execute(FRESH_PAIRS_SQL.format(picked=pairs_sql), [*pairs_params, periode, *batch.shard.params()])
    candidates = _per_rule(cursor)
    cursor.execute("RESET enable_nestloop")
    cursor.execute(f"ANALYZE {FRESH_TABLE}")  # usually empty: the workers are then probed by key
    insert = INSERT_SQL.format(candidates=FRESH_CANDIDATES_SQL, on_conflict="")
    cursor.execute(
        f"WITH ins AS ({insert} RETURNING rule_id) SELECT rule_id, COUNT(*) FROM ins GROUP BY rule_id",  # noqa: S608
        batch.insert_params(),
    )
    return batch.runs(candidates, _per_rule(cursor))


def _insert_portable(cursor: Any, batch: Batch) -> list[RuleRun]:
    (rule,) = batch.rules
    cand_sql, cand_params = batch.candidates
    cursor.execute(f"SELECT COUNT(*) FROM ({cand_sql}) c", cand_params)  # noqa: S608
    total = int(cursor.fetchone()[0])
    insert = INSERT_SQL.format(candidates=f"({cand_sql})", on_conflict="ON CONFLICT DO NOTHING")
    # The SELECT list's parameters come before the sub-select's in the statement's text.
    cursor.execute(insert, [*batch.insert_params(), *cand_params])
    return batch.runs({rule.pk: total}, {rule.pk: max(cursor.rowcount, 0)})


def _run_group(
    cursor: Any, spec: RunSpec, month: datetime.date, rules: list[ReminderRule], shard: Shard
) -> list[RuleRun]:
    as_of = spec.as_of
    if len(rules) > 1:
        candidates = arrears_candidate_sql(cursor, rules, as_of, shard)
        day = connection.ops.adapt_datefield_value(as_of)
        pairs: tuple[str, list[Any]] = (ARREARS_PAIRS_SQL, [*shard.params(), day, day])
    else:
        candidates = candidate_sql(rules[0], month, as_of, spec.standing_month, shard=shard)
        pairs = candidate_sql(rules[0], month, as_of, spec.standing_month, columns="w.id", shard=shard)
    batch = Batch(rules, month, candidates, pairs, spec.channel, as_of, shard)
    if spec.dry_run:
        return _preview(cursor, batch)
    if connection.vendor == "postgresql":
        return _insert_postgres(cursor, batch)
    return _insert_portable(cursor, batch)


def rule_set(*, save: bool) -> list[ReminderRule]:
    """The reminder rules; an empty table (a wiped database) gets the program's defaults back.

    Rules are switched off with `active`, never by deleting them all.
    """
    rules = list(ReminderRule.objects.all())
    if rules:
        return rules
    defaults = [ReminderRule(**values) for values in DEFAULT_RULES]
    if save:
        for rule in defaults:
            rule.save()
    return defaults


@dataclass(frozen=True)
class RunSpec:
    """What a queueing run does, the same in every range of workers it is split into."""

    as_of: datetime.date
    channel: str
    dry_run: bool
    # The month whose paid state the standing table records (that of the before-due rule).
    standing_month: datetime.date | None
    groups: list[tuple[datetime.date, list[ReminderRule]]]

    @property
    def months(self) -> list[datetime.date]:
        return sorted({month for month, _rules in self.groups})


def _queue_shard(spec: RunSpec, shard: Shard, ready: Callable[[], None] | None = None) -> list[RuleRun]:
    """Queue the workers of `shard` in one transaction; `ready` waits for the run's other shards."""
    with transaction.atomic(), connection.cursor() as cursor:
        _load_temp_tables(cursor, spec, shard)
        try:
            runs: list[RuleRun] = []
            book, combos = TariffBook(), _tariff_combos(cursor, spec.as_of, shard)
            for month, group in spec.groups:
                _fill_tariffs(cursor, _tariff_rows(combos, month, book))
                runs += _run_group(cursor, spec, month, group, shard)
            if ready is not None:
                ready()
        finally:
            _drop_temp_tables(cursor)
    return runs


def _shards(spec: RunSpec) -> list[Shard]:
    """Several ranges of workers on PostgreSQL, when the run is a transaction of its own (a caller's
    transaction, as in the tests, is not seen by other connections)."""
    if connection.vendor != "postgresql" or spec.dry_run or connection.in_atomic_block:
        return [EVERY_WORKER]
    return worker_shards(settings.REMINDER_QUEUE_CONNECTIONS, SHARD_MIN_WORKERS)


def _merged(runs: Iterable[RuleRun]) -> list[RuleRun]:
    """One RuleRun per rule and month, adding up the shards' counts (in the order first seen)."""
    merged: dict[tuple[str, datetime.date], RuleRun] = {}
    for run in runs:
        total = merged.setdefault((run.rule, run.periode), RuleRun(run.rule, run.periode))
        total.candidates += run.candidates
        total.queued += run.queued
    return list(merged.values())


def _tariff_combos(cursor: Any, as_of: datetime.date, shard: Shard) -> list[tuple[str, str, str, int]]:
    """The distinct tariff attributes of the workers of `shard` registered by `as_of` (a few dozen)."""
    cursor.execute(
        "SELECT DISTINCT program, sektor, sumber_iuran, penghasilan FROM workers_worker w"
        " WHERE w.id BETWEEN %s AND %s AND w.tanggal_daftar <= %s",
        [*shard.params(), connection.ops.adapt_datefield_value(as_of)],
    )
    return [(str(program), str(sektor), str(payer), int(income)) for program, sektor, payer, income in cursor]


def queue_reminders(*, as_of: datetime.date, channel: str, dry_run: bool = False) -> QueueResult:
    """Queue every active rule's reminders due on `as_of`; at most one per worker, rule and month."""
    result = QueueResult(as_of, dry_run, channel)
    rules = [r for r in rule_set(save=not dry_run) if r.active]
    for number, rule in enumerate(rules, start=1):
        if rule.pk is None:  # a preview on a wiped rule table: the defaults, numbered for this run only
            rule.pk = -number
    firing = [(r, m) for r in rules if (m := firing_month(r, as_of))]
    if not firing:
        return result
    spec = RunSpec(
        as_of=as_of,
        channel=channel,
        dry_run=dry_run,
        standing_month=next((m for r, m in firing if r.kind == RuleKind.BEFORE_DUE), None),
        groups=_groups(firing),
    )
    if not dry_run:
        for month in spec.months:
            ensure_month_partition(month)
    shards = _shards(spec)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_queueing(cursor)
        if len(shards) == 1:
            result.rules = _queue_shard(spec, shards[0])
        else:
            result.rules = _merged(run for runs in run_in_shards(shards, partial(_queue_shard, spec)) for run in runs)
        if partitioned() and not dry_run:
            for month in sorted({run.periode for run in result.rules if run.queued}):
                summarize_new_ids(cursor, month)
    return result
