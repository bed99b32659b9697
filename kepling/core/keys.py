"""Keys the database does not check row by row: finding any that point nowhere.

The tables written a million rows at a time (the payment ledger, per-month coverage, the
reminder outbox) resolve their keys in the statement that writes them and leave deletion rules
to Django (`on_delete`), so their foreign keys carry no database constraint (docs/decisions/
0005-keys-checked-by-the-writer.md). `dangling_keys` checks every such key in one query each;
`kepling check_keys` runs it nightly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, ForeignKey, Model, OuterRef


@dataclass(frozen=True)
class DanglingKey:
    """Rows of `table` whose `column` names a row `target` does not have."""

    table: str
    column: str
    target: str
    rows: int


def unchecked_keys() -> list[tuple[type[Model], ForeignKey[Model, Model]]]:
    """Every foreign key of the project's models declared without a database constraint."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("kepling."):
            continue
        for field in model._meta.concrete_fields:
            # django-stubs does not declare `db_constraint`; Django has it on every ForeignKey.
            if isinstance(field, ForeignKey) and not getattr(field, "db_constraint", True):
                found.append((model, field))
    return found


def dangling_keys() -> list[DanglingKey]:
    """The unchecked keys that point at a missing row, with how many rows do."""
    problems = []
    for model, field in unchecked_keys():
        target = field.related_model
        assert isinstance(target, type) and issubclass(target, Model)
        rows = (
            model._default_manager.filter(**{f"{field.attname}__isnull": False})
            .exclude(Exists(target._default_manager.filter(pk=OuterRef(field.attname))))
            .count()
        )
        if rows:
            problems.append(DanglingKey(model._meta.db_table, field.column, target._meta.db_table, rows))
    return problems
