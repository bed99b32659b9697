"""What every import shares: reading the rows, counting outcomes, checking the usual values."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext

from kepling.core.tabular import ImportResult, RowRejectedError, open_table, parse_date, parse_int
from kepling.regions.models import LEVEL_KEYS, LevelName

NAME_MAX_LENGTH = 120

Row = tuple[int, dict[str, str]]
RowHandler = Callable[[int, dict[str, str]], str]


class RowCheck:
    """Collects the problems of one row; `finish()` rejects the row when there are any."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def add(self, column: str, message: str, **values: object) -> None:
        self.problems.append((column, message % values if values else message))

    @property
    def ok(self) -> bool:
        return not self.problems

    def finish(self) -> None:
        if self.problems:
            raise RowRejectedError(self.problems)

    def unique(self, seen: dict[str, int], key: str, number: int, column: str) -> None:
        """Remember the first row of a key; a later row with the same key names the first."""
        if key in seen:
            message = gettext("'%(key)s' already appears on row %(row)s of this file.")
            self.add(column, message, key=key, row=seen[key])
        else:
            seen[key] = number

    def name(self, record: dict[str, str], column: str = "nama") -> str:
        name = " ".join(record.get(column, "").split())
        if not name:
            self.add(column, gettext("The name is empty."))
        elif len(name) > NAME_MAX_LENGTH:
            message = gettext("The name is longer than %(max)s characters.")
            self.add(column, message, max=NAME_MAX_LENGTH)
        return name

    def count(self, record: dict[str, str], column: str) -> int | None:
        """A whole number of at least zero."""
        text = record.get(column, "")
        try:
            value = parse_int(text)
        except ValueError:
            self.add(column, gettext("'%(value)s' is not a whole number."), value=text)
            return None
        if value < 0:
            self.add(column, gettext("'%(value)s' is negative; write 0 or more."), value=text)
            return None
        return value

    def date(self, record: dict[str, str], column: str) -> datetime.date | None:
        text = record.get(column, "")
        if not text.strip():
            self.add(column, gettext("The date is empty; write YYYY-MM-DD or DD/MM/YYYY."))
            return None
        try:
            return parse_date(text)
        except ValueError:
            message = gettext("'%(value)s' is not a date; write YYYY-MM-DD or DD/MM/YYYY.")
            self.add(column, message, value=text)
            return None


def count_outcomes(result: ImportResult, rows: list[Row], handle: RowHandler) -> None:
    """Apply each row; 'unchanged' counts as already present, a RowRejectedError as rejected."""
    for number, record in rows:
        try:
            outcome = handle(number, record)
        except RowRejectedError as exc:
            result.reject(number, exc.errors)
            continue
        if outcome == "unchanged":
            result.already_present += 1
        else:
            result.applied += 1


def run_import(
    path: str | Path,
    *,
    required: list[str],
    optional: list[str],
    handle: RowHandler,
    dry_run: bool = False,
    result: ImportResult | None = None,
    order: Callable[[Row], tuple[int, int]] | None = None,
) -> ImportResult:
    """Open the file, apply its rows in one transaction (rolled back on a dry run) and count."""
    table = open_table(path, required=required, optional=optional)
    result = result if result is not None else ImportResult()
    rows = list(table.rows())
    if order is not None:
        rows.sort(key=order)
    result.rows = len(rows)
    with transaction.atomic():
        count_outcomes(result, rows, handle)
        if dry_run:
            transaction.set_rollback(True)
    result.errors.sort(key=lambda error: error.row)
    return result


def level_lookup() -> dict[str, int]:
    """Every way a file may name a level: the level keys plus this deployment's `LevelName` rows."""
    lookup = {key: level for level, key in LEVEL_KEYS.items()}
    for level, key, name in LevelName.objects.values_list("level", "key", "name"):
        lookup[key.lower()] = level
        lookup[name.lower()] = level
    return lookup
