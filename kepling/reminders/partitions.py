"""The outbox on PostgreSQL: one partition per month reminded about.

A day's queueing writes hundreds of thousands of rows for one month. In a table of their own,
the month's rows go into small indexes page after page, instead of being threaded through
indexes holding every earlier month (docs/decisions/0006-outbox-partitioned-by-month.md).
Rows for a month without a partition (written through the ORM) land in the default
partition; creating the month's partition moves them into it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, transaction

from kepling.core.periods import add_months, month_start

OUTBOX = "reminders_outboxmessage"
DEFAULT_PARTITION = f"{OUTBOX}_default"
# Any number that no other advisory lock of this database uses: one queueing run, or one
# partition being created, at a time.
QUEUEING_LOCK = 7_310_251


def partitioned() -> bool:
    """Whether the outbox is partitioned by month (PostgreSQL)."""
    return connection.vendor == "postgresql"


def partition_name(month: datetime.date) -> str:
    return f"{OUTBOX}_{month:%Y_%m}"


def ensure_month_partition(month: datetime.date) -> bool:
    """Create the partition for `month` if it is missing; returns whether it was created.

    Runs in a transaction of its own, committed before queueing starts: attaching a partition
    locks the default partition, and readers of the outbox must not wait for a whole run.
    """
    if not partitioned():
        return False
    month = month_start(month)
    name = partition_name(month)
    # Dates from `datetime.date` written as literals: DDL takes no parameters.
    start, end = month.isoformat(), add_months(month, 1).isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [QUEUEING_LOCK])
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False  # another run created it while this one waited
        cursor.execute(f"CREATE TABLE {name} (LIKE {OUTBOX} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        in_month = f"periode >= DATE '{start}' AND periode < DATE '{end}'"
        cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT_PARTITION} WHERE {in_month}")  # noqa: S608
        cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE {in_month}")  # noqa: S608
        cursor.execute(f"ALTER TABLE {OUTBOX} ATTACH PARTITION {name} FOR VALUES FROM ('{start}') TO ('{end}')")
    return True


def summarize_new_ids(cursor: Any, month: datetime.date) -> None:
    """Extend the BRIN index on ids over the rows just written to `month`'s partition.

    Until a page range is summarised, every look-up by id reads it; a day's queueing leaves
    thousands of new pages, so the run summarises them (a fraction of a second) rather than
    leaving the Kepling's pages slow until autovacuum does.
    """
    cursor.execute(
        "SELECT brin_summarize_new_values(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
        " WHERE i.indrelid = to_regclass(%s) AND a.amname = 'brin'",
        [partition_name(month_start(month))],
    )
