"""Set-based inserts for the large tables (imports, ledger coverage, scenario data).

Django's bulk_create builds a model instance and prepares every field of every row; for
hundreds of thousands of rows that dominates the time. These helpers send plain values with
`executemany`, converting only what the driver cannot take as it is (dates and times on
SQLite, JSON everywhere), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH = 5000
Convert = Callable[[Any], Any]


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows given as tuples in the order of `fields` (model field names); returns the count."""
    columns = [model._meta.get_field(name) for name in fields]
    converters = [_converter(f) for f in columns]  # type: ignore[arg-type]
    total = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        sql = _insert_sql(model, columns)  # type: ignore[arg-type]
        while chunk := list(islice(iterator, BATCH)):
            cursor.executemany(sql, [tuple(c(v) for c, v in zip(converters, row, strict=True)) for row in chunk])
            total += len(chunk)
    return total


def insert_dicts(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows given as dicts by attribute name; a missing column takes its field default,
    `auto_now`/`auto_now_add` columns the current time. Returns the count."""
    from django.utils import timezone

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {
        f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        for f in fields
    }
    names = [f.attname for f in fields]
    return insert_rows(
        model, [f.name for f in fields], ([row.get(name, defaults[name]) for name in names] for row in rows)
    )


def _insert_sql(model: type[models.Model], fields: Sequence[models.Field[Any, Any]]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(f)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


def _column(model_field: models.Field[Any, Any]) -> str:
    if not model_field.column:
        raise ValueError(f"{model_field.model.__name__}.{model_field.name} is not a concrete column")
    return str(model_field.column)


def _converter(model_field: models.Field[Any, Any]) -> Convert:
    # Dates repeat heavily across rows (registration days, audit times), so their conversion
    # is cached; psycopg takes dates as they are, SQLite's driver needs them as text.
    if isinstance(model_field, models.JSONField):
        return partial(model_field.get_db_prep_save, connection=connection)
    if connection.vendor != "sqlite":
        return _identity
    if isinstance(model_field, models.DateTimeField):
        return functools.lru_cache(maxsize=4096)(connection.ops.adapt_datetimefield_value)
    if isinstance(model_field, models.DateField):
        return functools.lru_cache(maxsize=65536)(connection.ops.adapt_datefield_value)
    return _identity


def _identity(value: Any) -> Any:
    return value
