"""Fixtures the reminders' committed (multi-connection) tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection


@pytest.fixture
def new_partitions_dropped() -> Iterator[None]:
    """Partitions a committed run creates are dropped afterwards, as a rolled-back test leaves none."""

    def partitions() -> set[str]:
        if connection.vendor != "postgresql":
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'reminders_outboxmessage'::regclass"
            )
            return {name for (name,) in cursor.fetchall()}

    before = partitions()
    yield
    with connection.cursor() as cursor:
        for name in partitions() - before:
            cursor.execute(f"DROP TABLE {name}")
