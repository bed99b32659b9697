"""On PostgreSQL the outbox becomes a table partitioned by month (`periode`).

Every existing row is kept (ids included) and each month already present gets its partition;
rows of any other month go to the default partition until queueing creates theirs
(kepling.reminders.partitions). A partitioned table's primary key must include the partition
column, so the key is (id, periode); ids still come from one identity sequence and stay
unique. SQLite keeps the plain table.
"""

from typing import Any

from django.db import migrations

OUTBOX = "reminders_outboxmessage"
PLAIN = "reminders_outboxmessage_plain"
INDEXES = [
    f"ALTER TABLE {OUTBOX} ADD CONSTRAINT one_reminder_per_month_rule_worker UNIQUE (periode, rule_id, worker_id)",
    f"CREATE INDEX reminders_o_worker__3a2e51_idx ON {OUTBOX} (worker_id, queued_on)",
    f"CREATE INDEX outbox_awaiting_delivery ON {OUTBOX} (id)"
    " WHERE status = 'queued' AND NOT channel = 'whatsapp_kepling'",
]
PLAIN_NAMES = [
    ("CONSTRAINT", "reminders_outboxmessage_pkey"),
    ("CONSTRAINT", "one_reminder_per_month_rule_worker"),
    ("INDEX", "reminders_o_worker__3a2e51_idx"),
    ("INDEX", "outbox_awaiting_delivery"),
]


def _set_aside(cursor: Any) -> None:
    """Rename the current table and its named keys, so the new table can take the names."""
    cursor.execute(f"SELECT pg_get_serial_sequence('{OUTBOX}', 'id')")
    (sequence,) = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {OUTBOX} RENAME TO {PLAIN}")
    if sequence:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {PLAIN}_id_seq")
    for kind, name in PLAIN_NAMES:
        if kind == "CONSTRAINT":
            cursor.execute(f"ALTER TABLE {PLAIN} RENAME CONSTRAINT {name} TO {name}_plain")
        else:
            cursor.execute(f"ALTER INDEX IF EXISTS {name} RENAME TO {name}_plain")


def _restart_ids(cursor: Any) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{OUTBOX}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {OUTBOX}"  # noqa: S608
    )


def _create(cursor: Any, *, partitioned: bool) -> None:
    """The outbox table again, with the columns, keys and indexes of the one set aside."""
    by_month = " PARTITION BY RANGE (periode)" if partitioned else ""
    cursor.execute(
        f"CREATE TABLE {OUTBOX} (LIKE {PLAIN} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY){by_month}"
    )
    # a partitioned table's primary key must include the partition column
    key = "id, periode" if partitioned else "id"
    cursor.execute(f"ALTER TABLE {OUTBOX} ADD CONSTRAINT reminders_outboxmessage_pkey PRIMARY KEY ({key})")
    for statement in INDEXES:
        cursor.execute(statement)


def _move_rows(cursor: Any) -> None:
    """Every row (ids included) into the new table; the old one goes, with any partitions it had."""
    cursor.execute(f"INSERT INTO {OUTBOX} SELECT * FROM {PLAIN}")  # noqa: S608
    _restart_ids(cursor)
    cursor.execute(f"DROP TABLE {PLAIN} CASCADE")


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _set_aside(cursor)
        _create(cursor, partitioned=True)
        cursor.execute(f"CREATE TABLE {OUTBOX}_default PARTITION OF {OUTBOX} DEFAULT")
        cursor.execute(f"SELECT DISTINCT date_trunc('month', periode)::date FROM {PLAIN}")  # noqa: S608
        for (month,) in cursor.fetchall():
            end = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
            cursor.execute(
                f"CREATE TABLE {OUTBOX}_{month:%Y_%m} PARTITION OF {OUTBOX}"
                f" FOR VALUES FROM ('{month.isoformat()}') TO ('{end.isoformat()}')"
            )
        _move_rows(cursor)


def unpartition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _set_aside(cursor)
        _create(cursor, partitioned=False)
        _move_rows(cursor)


class Migration(migrations.Migration):
    dependencies = [("reminders", "0005_outcome_message_key_checked_by_django")]

    operations = [migrations.RunPython(partition, unpartition)]
