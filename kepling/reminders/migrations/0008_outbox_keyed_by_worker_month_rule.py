"""On PostgreSQL the outbox's primary key becomes (worker, month, rule), and ids get a BRIN index.

What identifies a reminder is its worker, month and rule: the unique key already enforced
becomes the primary key (under the same name, so later migrations find it). The surrogate `id`
that Django and the pages use comes from one identity sequence, so it is unique by
construction; its rows are written in id order, so a BRIN index finds an id in a few pages, and
costs next to nothing when a day's queueing writes hundreds of thousands of rows (a B-tree on
(id, periode) cost about 1 µs a row). docs/decisions/0007-outbox-keys.md has the measurements.
SQLite keeps its plain table and keys.
"""

from typing import Any

from django.db import migrations

OUTBOX = "reminders_outboxmessage"
NATURAL_KEY = "one_reminder_per_month_rule_worker"
ID_INDEX = "outbox_id"


def natural_primary_key(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {OUTBOX} DROP CONSTRAINT {OUTBOX}_pkey")
        cursor.execute(f"ALTER TABLE {OUTBOX} DROP CONSTRAINT {NATURAL_KEY}")
        cursor.execute(f"ALTER TABLE {OUTBOX} ADD CONSTRAINT {NATURAL_KEY} PRIMARY KEY (worker_id, periode, rule_id)")
        # Summarised by each queueing run for the rows it wrote, and by autovacuum for the rest.
        cursor.execute(
            f"CREATE INDEX {ID_INDEX} ON {OUTBOX} USING brin (id) WITH (pages_per_range = 16, autosummarize = on)"
        )


def id_primary_key(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {ID_INDEX}")
        cursor.execute(f"ALTER TABLE {OUTBOX} DROP CONSTRAINT {NATURAL_KEY}")
        cursor.execute(f"ALTER TABLE {OUTBOX} ADD CONSTRAINT {NATURAL_KEY} UNIQUE (worker_id, periode, rule_id)")
        cursor.execute(f"ALTER TABLE {OUTBOX} ADD CONSTRAINT {OUTBOX}_pkey PRIMARY KEY (id, periode)")


class Migration(migrations.Migration):
    dependencies = [("reminders", "0007_worker_first_unique_key")]

    operations = [migrations.RunPython(natural_primary_key, id_primary_key)]
