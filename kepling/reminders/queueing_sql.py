"""The SQL of a queueing run (kepling.reminders.queueing): its statements and their parameters.

Every statement takes named parameters (`%(day)s`), so statements nest (a candidate query
inside an INSERT, a preview, a re-run's pair search) and their parameters are one dict, in no
particular order. The candidate selection follows the status engine's definitions
(kepling.contributions.status): a month is paid on day D when a WorkerMonth span contains D;
arrears are the months after the latest paid month whose due date is before D.

The names the statements share:
  day               the run's date (workers registered and not withdrawn on it, months paid on it)
  first_id, last_id the range of worker ids the run (or its shard) covers
  inactive_below    the latest paid month below which a worker is inactive
  arrears_latest    the latest paid month an arrears rule looks for
  standing_month    the month whose paid state the standing table records (-1: none)
  month_index       a before-due rule's month when it is not the standing table's
  periode, channel, status, queued_on, created_at   the values an outbox row is written with
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection

from kepling.contributions.status import ARREARS_BEFORE_INACTIVE
from kepling.core.periods import last_due_month_before, month_index
from kepling.reminders.models import ReminderRule, RuleKind
from kepling.reminders.shards import Shard

Params = dict[str, Any]
Statement = tuple[str, Params]


def on_postgres() -> bool:
    """The one database switch of a run: PostgreSQL takes the parallel, analysed, anti-join paths;
    any other database (SQLite) the portable one."""
    return connection.vendor == "postgresql"


def db_date(value: datetime.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def run_params(as_of: datetime.date, shard: Shard) -> Params:
    """The parameters every candidate query takes: the day and the range of worker ids."""
    last_due = month_index(last_due_month_before(as_of))
    return {
        "day": db_date(as_of),
        "first_id": shard.first,
        "last_id": shard.last,
        "inactive_below": last_due - ARREARS_BEFORE_INACTIVE,
    }


# --- the run's temporary tables ----------------------------------------------------------------

TARIFF_TABLE = "reminders_tmp_tariff"
STANDING_TABLE = "reminders_tmp_standing"
RULES_TABLE = "reminders_tmp_rules"
FRESH_TABLE = "reminders_tmp_fresh"
TEMP_TABLES = (TARIFF_TABLE, STANDING_TABLE, RULES_TABLE, FRESH_TABLE)

# Queueing is idempotent (a lost run is redone by the next), so it need not wait for the WAL
# flush; and the hash joins and sorts over every worker want more than the default work_mem.
# (JIT compilation is off for every connection: config/settings.py.)
POSTGRES_RUN_SETTINGS = (
    "SET LOCAL synchronous_commit TO OFF",
    "SET LOCAL work_mem TO '256MB'",
)


def create_temp_tables() -> list[str]:
    """The statements creating the run's temporary tables."""
    # PostgreSQL hash-joins the standing table; SQLite looks it up by key.
    key = "" if on_postgres() else " PRIMARY KEY"
    return [
        f"CREATE TEMPORARY TABLE {STANDING_TABLE} (worker_id bigint{key}, latest integer, has_month integer)",
        f"CREATE TEMPORARY TABLE {TARIFF_TABLE} (program varchar(20), sektor varchar(20), payer varchar(10), "
        "penghasilan integer, jumlah integer)",
        f"CREATE TEMPORARY TABLE {RULES_TABLE} (rule_id bigint, latest integer)",
        f"CREATE TEMPORARY TABLE {FRESH_TABLE} (id bigint, rule_id bigint)",
    ]


# Per worker with a paid month on the day: the latest paid month, and whether `standing_month` is paid.
STANDING_SQL = """
INSERT INTO reminders_tmp_standing (worker_id, latest, has_month)
SELECT worker_id, MAX(periode_index), MAX(CASE WHEN periode_index = %(standing_month)s THEN 1 ELSE 0 END)
FROM contributions_workermonth
WHERE paid_from <= %(day)s AND (paid_until IS NULL OR paid_until > %(day)s)
  AND worker_id BETWEEN %(first_id)s AND %(last_id)s
GROUP BY worker_id
"""


def standing(as_of: datetime.date, standing_month: datetime.date | None, shard: Shard) -> Statement:
    """Fill the standing table for the run's workers."""
    wanted = month_index(standing_month) if standing_month else -1
    return STANDING_SQL, {**run_params(as_of, shard), "standing_month": wanted}


FILL_TARIFFS_SQL = (
    f"INSERT INTO {TARIFF_TABLE} (program, sektor, payer, penghasilan, jumlah) "  # noqa: S608 - constants only
    "VALUES (%(program)s, %(sektor)s, %(payer)s, %(penghasilan)s, %(jumlah)s)"
)
FILL_RULES_SQL = f"INSERT INTO {RULES_TABLE} (rule_id, latest) VALUES (%(rule_id)s, %(latest)s)"  # noqa: S608

# The distinct tariff attributes of the run's workers registered by the day (a few dozen).
TARIFF_COMBOS_SQL = """
SELECT DISTINCT program, sektor, sumber_iuran, penghasilan FROM workers_worker w
WHERE w.id BETWEEN %(first_id)s AND %(last_id)s AND w.tanggal_daftar <= %(day)s
"""


# --- the candidates: which workers a rule picks ------------------------------------------------

# What every candidate query returns of a worker (with the rule id), and the workers it may pick:
# those of the run's range of ids (kepling.reminders.shards), registered and not withdrawn on the day.
CANDIDATE_COLUMNS = "w.id, w.kelurahan_id, w.lingkungan_id, w.program, w.sektor, w.sumber_iuran, w.penghasilan"
REGISTERED = "w.tanggal_daftar <= %(day)s AND (w.withdrawn_on IS NULL OR w.withdrawn_on > %(day)s)"
ON_THE_REGISTER = f"w.id BETWEEN %(first_id)s AND %(last_id)s AND {REGISTERED}"

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
      SELECT 1 FROM reminders_tmp_standing p
      WHERE p.worker_id = w.id AND (p.latest < %(inactive_below)s OR p.has_month <> 0))
"""  # noqa: S608 - built from constants only

# A before-due rule whose month is not the one in the standing table (only with unusual offsets):
# not inactive (or never paid), and the month not paid on the day.
OTHER_MONTH_UNPAID = """(p.worker_id IS NULL OR (p.latest >= %(inactive_below)s AND NOT EXISTS (
    SELECT 1 FROM contributions_workermonth m
    WHERE m.worker_id = w.id AND m.periode_index = %(month_index)s AND m.paid_from <= %(day)s
      AND (m.paid_until IS NULL OR m.paid_until > %(day)s))))"""

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
WHERE p.worker_id NOT IN (
    SELECT w.id FROM workers_worker w WHERE w.id BETWEEN %(first_id)s AND %(last_id)s AND NOT ({REGISTERED}))
"""  # noqa: S608 - built from constants only


def candidates(
    rule: ReminderRule,
    month: datetime.date,
    as_of: datetime.date,
    standing_month: datetime.date | None,
    *,
    columns: str = CANDIDATE_COLUMNS,
    shard: Shard,
) -> Statement:
    """The workers of `shard` that `rule` picks for `month` on `as_of` (reads the standing table)."""
    params = run_params(as_of, shard)
    if rule.kind != RuleKind.ARREARS and month == standing_month:
        return BEFORE_DUE_CANDIDATES_SQL.format(columns=columns, rule=int(rule.pk)), params
    if rule.kind == RuleKind.ARREARS:
        condition = "p.latest = %(arrears_latest)s"
        params["arrears_latest"] = month_index(last_due_month_before(as_of)) - rule.arrears_months
    else:
        condition = OTHER_MONTH_UNPAID
        params["month_index"] = month_index(month)
    return CANDIDATES_SQL.format(columns=columns, rule=int(rule.pk), condition=condition), params


def arrears_rule_rows(rules: list[ReminderRule], as_of: datetime.date) -> list[Params]:
    """The rules table's rows: each arrears rule with the latest paid month it looks for."""
    last_due = month_index(last_due_month_before(as_of))
    return [{"rule_id": rule.pk, "latest": last_due - rule.arrears_months} for rule in rules]


# --- writing the outbox ------------------------------------------------------------------------

# In worker order, so consecutive rows land in neighbouring index pages (unsorted, a run of
# 800,000 rows takes half as long again). On PostgreSQL the runs are serialised by an advisory
# lock and rows already queued are left out by an anti-join (FRESH_CANDIDATES_SQL); SQLite (one
# writer at a time) lets the unique key skip them ({on_conflict}).
INSERT_SQL = """
INSERT INTO reminders_outboxmessage
    (worker_id, rule_id, periode, jumlah, channel, "to", body, status, attempts, last_error, queued_on,
     provider_reference, kelurahan_id, lingkungan_id, created_at)
SELECT c.id, c.rule_id, %(periode)s, t.jumlah, %(channel)s, '', '', %(status)s, 0, '', %(queued_on)s, '',
       c.kelurahan_id, c.lingkungan_id, %(created_at)s
FROM {candidates} c
JOIN reminders_tmp_tariff t
  ON t.program = c.program AND t.sektor = c.sektor AND t.payer = c.sumber_iuran AND t.penghasilan = c.penghasilan
ORDER BY c.id
{on_conflict}
"""


def insert(candidates_sql: str, *, skip_queued: bool = False) -> str:
    """Queue the candidates (a sub-select, or FRESH_CANDIDATES_SQL), priced from the tariff table."""
    on_conflict = "ON CONFLICT DO NOTHING" if skip_queued else ""
    return INSERT_SQL.format(candidates=candidates_sql, on_conflict=on_conflict)


def counted_insert(insert_sql: str) -> str:
    """An insert that returns how many rows it wrote per rule."""
    return f"WITH ins AS ({insert_sql} RETURNING rule_id) SELECT rule_id, COUNT(*) FROM ins GROUP BY rule_id"  # noqa: S608


def count_of(candidates_sql: str) -> str:
    return f"SELECT COUNT(*) FROM ({candidates_sql}) c"  # noqa: S608 - built from constants only


def preview(candidates_sql: str) -> str:
    """Per rule: its candidates, and how many of them are queued for the month already."""
    return (
        f"SELECT c.rule_id, COUNT(*), COUNT(o.id) FROM ({candidates_sql}) c "  # noqa: S608 - constants only
        "LEFT JOIN reminders_outboxmessage o "
        "ON o.worker_id = c.id AND o.rule_id = c.rule_id AND o.periode = %(periode)s GROUP BY c.rule_id"
    )


ANY_QUEUED_SQL = (
    "SELECT EXISTS (SELECT 1 FROM reminders_outboxmessage WHERE periode = %(periode)s AND rule_id = ANY(%(rule_ids)s))"
)

# A re-run's candidates are found in two steps. First the (worker, rule) pairs not yet queued
# for the month go into FRESH_TABLE, while every rule's candidates are counted; then only those
# pairs are read with their workers' details, priced and queued. A re-run usually finds no new
# pair, and then reads no worker at all. The shard's range again on the outbox side: only its
# part of the month's rows is hashed.
FRESH_PAIRS_SQL = """
WITH picked AS ({picked}),
fresh AS (
    INSERT INTO reminders_tmp_fresh (id, rule_id)
    SELECT c.id, c.rule_id FROM picked c
    WHERE NOT EXISTS (
        SELECT 1 FROM reminders_outboxmessage o
        WHERE o.periode = %(periode)s AND o.worker_id BETWEEN %(first_id)s AND %(last_id)s
          AND o.rule_id = c.rule_id AND o.worker_id = c.id))
SELECT rule_id, COUNT(*) FROM picked GROUP BY rule_id
"""
FRESH_CANDIDATES_SQL = f"""(
    SELECT {CANDIDATE_COLUMNS}, f.rule_id
    FROM reminders_tmp_fresh f
    JOIN workers_worker w ON w.id = f.id)"""  # noqa: S608 - built from constants only
