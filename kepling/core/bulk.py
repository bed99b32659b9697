"""Set-based inserts for the large tables (ledger coverage, scenario data).

Django's bulk_create builds a model instance and prepares every field of every row; for
hundreds of thousands of rows that dominates the time. These helpers send plain tuples with
`executemany`, adapting only dates and datetimes, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH = 5000


def _adapt(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _column(model: type[models.Model], name: str) -> str:
    column = getattr(model._meta.get_field(name), "column", None)
    if not column:
        raise ValueError(f"{model.__name__}.{name} is not a concrete column")
    return str(column)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows given as tuples in the order of `fields` (model field names); returns the count."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    adapt_dates = connection.vendor == "sqlite"
    total = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(iterator, BATCH)):
            if adapt_dates:
                chunk = [tuple(_adapt(v) for v in row) for row in chunk]
            cursor.executemany(sql, chunk)
            total += len(chunk)
    return total
