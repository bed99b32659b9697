"""Queueing the reminders due on a date, set-based: one INSERT ... SELECT per rule that fires.

The statements are in kepling.reminders.queueing_sql, written as SQL so 900,000 workers queue
in seconds; the tests check them against `with_status` and `standing`. This module runs them:
the temporary tables, the rules grouped per month, and the path each database takes. On PostgreSQL a run is spread
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

from kepling.contributions.tariffs import TariffBook
from kepling.reminders import queueing_sql as sql
from kepling.reminders.actions import ensure_default_rules
from kepling.reminders.messages import firing_month
from kepling.reminders.models import MessageStatus, ReminderRule, RuleKind
from kepling.reminders.partitions import QUEUEING_LOCK, ensure_month_partition, partitioned, summarize_new_ids
from kepling.reminders.queries import reminder_rules
from kepling.reminders.shards import EVERY_WORKER, Shard, run_in_shards, worker_shards

# A range of workers smaller than this is queued by one connection: another costs more than it saves.
SHARD_MIN_WORKERS = 100_000


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


def _fill_rules_table(cursor: Any, rules: list[ReminderRule], as_of: datetime.date) -> None:
    """Every arrears rule of a group with the latest paid month it looks for (read by the arrears statements)."""
    cursor.execute(f"DELETE FROM {sql.RULES_TABLE}")  # noqa: S608
    cursor.executemany(sql.FILL_RULES_SQL, sql.arrears_rule_rows(rules, as_of))
    if sql.on_postgres():
        cursor.execute(f"ANALYZE {sql.RULES_TABLE}")


def _tariff_rows(
    combos: Iterable[tuple[str, str, str, int]], month: datetime.date, book: TariffBook
) -> list[dict[str, Any]]:
    rows = []
    for program, sektor, payer, income in combos:
        due = book.due(month=month, program=program, sektor=sektor, sumber_iuran=payer, penghasilan=income).total
        rows.append({"program": program, "sektor": sektor, "payer": payer, "penghasilan": income, "jumlah": due})
    return rows


def _lock_queueing(cursor: Any) -> None:
    """One queueing run at a time (PostgreSQL; SQLite has one writer at a time anyway)."""
    if sql.on_postgres():
        cursor.execute("SELECT pg_advisory_xact_lock(%(lock)s)", {"lock": QUEUEING_LOCK})


def _load_temp_tables(cursor: Any, spec: RunSpec, shard: Shard) -> None:
    _drop_temp_tables(cursor)
    if sql.on_postgres():
        for setting in sql.POSTGRES_RUN_SETTINGS:
            cursor.execute(setting)
    for statement in sql.create_temp_tables():
        cursor.execute(statement)
    cursor.execute(*sql.standing(spec.as_of, spec.standing_month, shard))
    if sql.on_postgres():
        cursor.execute(f"ANALYZE {sql.STANDING_TABLE}")


def _drop_temp_tables(cursor: Any) -> None:
    for table in sql.TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _fill_tariffs(cursor: Any, rows: list[dict[str, Any]]) -> None:
    cursor.execute(f"DELETE FROM {sql.TARIFF_TABLE}")  # noqa: S608
    if rows:  # SQLite reads the parameter style off the first row: an empty list would reach it unconverted
        cursor.executemany(sql.FILL_TARIFFS_SQL, rows)
    if sql.on_postgres():
        cursor.execute(f"ANALYZE {sql.TARIFF_TABLE}")  # a few dozen rows: hash-joined, not sorted


def _groups(firing: list[tuple[ReminderRule, datetime.date]]) -> list[tuple[datetime.date, list[ReminderRule]]]:
    """The rules to run together: on PostgreSQL every arrears rule of a month in one statement."""
    groups: list[tuple[datetime.date, list[ReminderRule]]] = []
    arrears: dict[datetime.date, list[ReminderRule]] = {}
    for rule, month in firing:
        if rule.kind == RuleKind.ARREARS and sql.on_postgres():
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
    candidates: sql.Statement
    # The same workers as (id, rule_id) pairs, read as narrowly as the rules allow (for re-runs).
    pairs: sql.Statement
    channel: str
    as_of: datetime.date
    shard: Shard

    def written(self) -> sql.Params:
        """The values every outbox row of the batch is written with."""
        return {
            "periode": sql.db_date(self.month),
            "channel": self.channel,
            "status": MessageStatus.QUEUED.value,
            "queued_on": sql.db_date(self.as_of),
            "created_at": connection.ops.adapt_datetimefield_value(timezone.now()),
        }

    def runs(self, candidates: dict[int, int], inserted: dict[int, int]) -> list[RuleRun]:
        return [
            RuleRun(rule.code, self.month, candidates.get(rule.pk, 0), inserted.get(rule.pk, 0)) for rule in self.rules
        ]


def _per_rule(cursor: Any) -> dict[int, int]:
    """The (rule id, count) rows a statement returned, as a dict."""
    return {int(rule_id): int(count) for rule_id, count in cursor.fetchall()}


def _preview(cursor: Any, batch: Batch) -> list[RuleRun]:
    cand_sql, cand_params = batch.candidates
    cursor.execute(sql.preview(cand_sql), {**cand_params, "periode": sql.db_date(batch.month)})
    rows = cursor.fetchall()
    return batch.runs({int(r): int(t) for r, t, _ in rows}, {int(r): int(t) - int(e) for r, t, e in rows})


def _insert_postgres(cursor: Any, batch: Batch) -> list[RuleRun]:
    cand_sql, cand_params = batch.candidates
    cursor.execute(sql.ANY_QUEUED_SQL, {"periode": sql.db_date(batch.month), "rule_ids": [r.pk for r in batch.rules]})
    if cursor.fetchone()[0]:
        return _insert_fresh(cursor, batch)
    # The first run of these rules for the month (the usual case): every candidate is new.
    insert = sql.insert(f"({cand_sql})")
    params = {**cand_params, **batch.written()}
    if len(batch.rules) == 1:
        cursor.execute(insert, params)
        inserted = {batch.rules[0].pk: max(cursor.rowcount, 0)}
    else:
        cursor.execute(sql.counted_insert(insert), params)
        inserted = _per_rule(cursor)
    return batch.runs(inserted, inserted)


def _insert_fresh(cursor: Any, batch: Batch) -> list[RuleRun]:
    """A re-run: count every rule's candidates, set aside the pairs not yet queued, queue those."""
    pairs_sql, pairs_params = batch.pairs
    cursor.execute(f"DELETE FROM {sql.FRESH_TABLE}")  # noqa: S608
    # Leaving out what is queued is one hash anti-join over the month's rows, not a probe per
    # pair (the statistics lag behind a run that just wrote the rows).
    cursor.execute("SET LOCAL enable_nestloop = off")
    cursor.execute(sql.FRESH_PAIRS_SQL.format(picked=pairs_sql), {**pairs_params, **batch.written()})
    candidates = _per_rule(cursor)
    cursor.execute("RESET enable_nestloop")
    cursor.execute(f"ANALYZE {sql.FRESH_TABLE}")  # usually empty: the workers are then probed by key
    cursor.execute(sql.counted_insert(sql.insert(sql.FRESH_CANDIDATES_SQL)), batch.written())
    return batch.runs(candidates, _per_rule(cursor))


def _insert_portable(cursor: Any, batch: Batch) -> list[RuleRun]:
    (rule,) = batch.rules
    cand_sql, cand_params = batch.candidates
    cursor.execute(sql.count_of(cand_sql), cand_params)
    total = int(cursor.fetchone()[0])
    cursor.execute(sql.insert(f"({cand_sql})", skip_queued=True), {**cand_params, **batch.written()})
    return batch.runs({rule.pk: total}, {rule.pk: max(cursor.rowcount, 0)})


def _run_group(
    cursor: Any, spec: RunSpec, month: datetime.date, rules: list[ReminderRule], shard: Shard
) -> list[RuleRun]:
    as_of = spec.as_of
    if len(rules) > 1:
        _fill_rules_table(cursor, rules, as_of)
        candidates = (sql.ARREARS_CANDIDATES_SQL, sql.run_params(as_of, shard))
        pairs = (sql.ARREARS_PAIRS_SQL, sql.run_params(as_of, shard))
    else:
        candidates = sql.candidates(rules[0], month, as_of, spec.standing_month, shard=shard)
        pairs = sql.candidates(rules[0], month, as_of, spec.standing_month, columns="w.id", shard=shard)
    batch = Batch(rules, month, candidates, pairs, spec.channel, as_of, shard)
    if spec.dry_run:
        return _preview(cursor, batch)
    if sql.on_postgres():
        return _insert_postgres(cursor, batch)
    return _insert_portable(cursor, batch)


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
    if not sql.on_postgres() or spec.dry_run or connection.in_atomic_block:
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
    cursor.execute(sql.TARIFF_COMBOS_SQL, sql.run_params(as_of, shard))
    return [(str(program), str(sektor), str(payer), int(income)) for program, sektor, payer, income in cursor]


def queue_reminders(*, as_of: datetime.date, channel: str, dry_run: bool = False) -> QueueResult:
    """Queue every active rule's reminders due on `as_of`; at most one per worker, rule and month."""
    result = QueueResult(as_of, dry_run, channel)
    if not dry_run:
        ensure_default_rules()
    rules = [r for r in reminder_rules() if r.active]
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
