"""Writing audit rows. Call inside the action's transaction so the change and its record land together."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kepling.core.models import AuditLog, AuditSubject

if TYPE_CHECKING:
    from kepling.accounts.models import User

# Rows per INSERT statement: within SQLite's parameter limit for the audit row's eight columns.
BATCH_SIZE = 500


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Entry:
    """One audit row to write, for `record_many`; `workers` lists the people it concerns."""

    action: str
    object_type: str
    object_id: object = ""
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    note: str = ""
    workers: tuple[int, ...] = ()


def record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object = "",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    note: str = "",
    workers: Iterable[int] = (),
) -> AuditLog:
    """Append one audit row; `workers` lists the people it concerns (for "who saw this person")."""
    entry = Entry(action, object_type, object_id, old, new, note, tuple(workers))
    return record_many(actor=actor, entries=[entry])[0]


def record_many(*, actor: User | None, entries: Sequence[Entry]) -> list[AuditLog]:
    """Append many audit rows and their subjects with a few statements (imports write thousands)."""
    rows = AuditLog.objects.bulk_create([_log_row(actor, e) for e in entries], batch_size=BATCH_SIZE)
    AuditSubject.objects.bulk_create(
        [AuditSubject(entry=row, worker_id=w) for row, e in zip(rows, entries, strict=True) for w in _subjects(e)],
        batch_size=BATCH_SIZE,
    )
    return rows


def _log_row(actor: User | None, entry: Entry) -> AuditLog:
    return AuditLog(
        actor=actor if actor is not None and actor.pk else None,
        action=entry.action,
        object_type=entry.object_type,
        object_id=str(entry.object_id),
        old_values=_jsonable(entry.old) if entry.old is not None else None,
        new_values=_jsonable(entry.new) if entry.new is not None else None,
        note=entry.note,
    )


def _subjects(entry: Entry) -> list[int]:
    """The workers a row is about: those named, the worker it is on, and a pair's `worker`/`other`."""
    subjects = set(entry.workers)
    if entry.object_type == "worker" and str(entry.object_id).isdigit():
        subjects.add(int(str(entry.object_id)))
    for key in ("worker", "other"):
        value = (entry.new or {}).get(key)
        if isinstance(value, int):
            subjects.add(value)
    return sorted(subjects)


def record_view(
    *, actor: User | None, page: str, workers: Iterable[int] = (), accounts: Iterable[int] = ()
) -> AuditLog | None:
    """One row for a page that shows personal data of these workers or Kepling accounts (none when nobody).

    Workers become the row's subjects (`/audit/?worker=`); the accounts of Kepling whose name and
    phone a page lists are kept in the row's values.
    """
    shown, people = sorted(set(workers)), sorted(set(accounts))
    if not shown and not people:
        return None
    values: dict[str, Any] = {"count": len(shown)}
    if people:
        values["accounts"] = people
    return record(
        actor=actor, action="personal_data_viewed", object_type="page", object_id=page[:64], new=values, workers=shown
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose value differs, as (old, new)."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
