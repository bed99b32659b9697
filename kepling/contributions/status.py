"""The status engine: paid months, latest paid month, arrears and status of workers as of a date.

Definitions (domain.md section 6): a month is paid on day D when the payments received on or
before D cover what is due (a WorkerMonth span contains D). Arrears months are the months
after the latest paid month whose due date is before D. Status: never_paid (no paid month),
active (0 arrears), in_arrears (1 to 3), inactive (4 or more).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Case, CharField, Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kepling.contributions.figures import FIGURE_NAMES, StatusFigures
from kepling.contributions.models import WorkerMonth
from kepling.core.periods import last_due_month_before, month_from_index, month_index
from kepling.workers.models import Worker

ARREARS_BEFORE_INACTIVE = 3


class Status(StrEnum):
    NEVER_PAID = "never_paid"
    ACTIVE = "active"
    IN_ARREARS = "in_arrears"
    INACTIVE = "inactive"


STATUS_LABELS = {
    Status.NEVER_PAID: _("Never paid"),
    Status.ACTIVE: _("Active"),
    Status.IN_ARREARS: _("In arrears"),
    Status.INACTIVE: _("Inactive"),
}


def covered_on(as_of: datetime.date) -> Q:
    """WorkerMonth rows whose span contains `as_of`."""
    return Q(paid_from__lte=as_of) & (Q(paid_until__isnull=True) | Q(paid_until__gt=as_of))


def registered_on(as_of: datetime.date, prefix: str = "") -> Q:
    """Workers registered on or before `as_of` and not withdrawn by then."""
    return Q(**{f"{prefix}tanggal_daftar__lte": as_of}) & (
        Q(**{f"{prefix}withdrawn_on__isnull": True}) | Q(**{f"{prefix}withdrawn_on__gt": as_of})
    )


def status_from(paid_months: int, latest_index: int | None, as_of: datetime.date) -> tuple[Status, int]:
    """Status and arrears months from a worker's paid-month count and latest paid month."""
    if paid_months == 0 or latest_index is None:
        return Status.NEVER_PAID, 0
    arrears = max(0, month_index(last_due_month_before(as_of)) - latest_index)
    if arrears == 0:
        return Status.ACTIVE, 0
    if arrears <= ARREARS_BEFORE_INACTIVE:
        return Status.IN_ARREARS, arrears
    return Status.INACTIVE, arrears


def with_status(workers: QuerySet[Worker], as_of: datetime.date) -> QuerySet[Worker]:
    """Annotate `paid_months`, `latest_paid_index`, `arrears_months` and `status` as of a date."""
    covered = WorkerMonth.objects.filter(covered_on(as_of), worker=OuterRef("pk")).values("worker")
    last_due = month_index(last_due_month_before(as_of))
    annotated = workers.annotate(
        paid_months=Coalesce(Subquery(covered.annotate(n=Count("id")).values("n")), 0),
        latest_paid_index=Subquery(covered.annotate(m=Max("periode_index")).values("m")),
    )
    return annotated.annotate(
        status=Case(
            When(paid_months=0, then=Value(Status.NEVER_PAID.value)),
            When(latest_paid_index__gte=last_due, then=Value(Status.ACTIVE.value)),
            When(latest_paid_index__gte=last_due - ARREARS_BEFORE_INACTIVE, then=Value(Status.IN_ARREARS.value)),
            default=Value(Status.INACTIVE.value),
            output_field=CharField(),
        ),
        arrears_months=Case(
            When(paid_months=0, then=Value(0)),
            When(latest_paid_index__gte=last_due, then=Value(0)),
            default=Value(last_due) - Coalesce("latest_paid_index", Value(last_due)),
            output_field=IntegerField(),
        ),
    )


@dataclass(frozen=True)
class WorkerStanding:
    """One worker's position on a date, for detail pages and reminders."""

    as_of: datetime.date
    paid_months: list[datetime.date]
    status: Status
    arrears_months: int

    @property
    def latest_paid_month(self) -> datetime.date | None:
        return max(self.paid_months) if self.paid_months else None

    @property
    def first_paid_month(self) -> datetime.date | None:
        return min(self.paid_months) if self.paid_months else None


def standing(worker: Worker, as_of: datetime.date) -> WorkerStanding:
    """The paid months, status and arrears of one worker as of a date."""
    indexes = sorted(
        WorkerMonth.objects.filter(covered_on(as_of), worker=worker).values_list("periode_index", flat=True)
    )
    status, arrears = status_from(len(indexes), indexes[-1] if indexes else None, as_of)
    return WorkerStanding(as_of, [month_from_index(i) for i in indexes], status, arrears)


# One row per lingkungan; every column is named after a field of `StatusFigures` and read by name.
LINGKUNGAN_FIGURES_SQL = """
SELECT w.lingkungan_id AS lingkungan_id,
       COUNT(*) AS registered,
       SUM(CASE WHEN p.paid_count > 0 THEN 1 ELSE 0 END) AS protected,
       SUM(CASE WHEN p.paid_count = 1 THEN 1 ELSE 0 END) AS paid_one_month_only,
       SUM(CASE WHEN p.paid_count IS NULL THEN 1 ELSE 0 END) AS never_paid,
       SUM(CASE WHEN p.paid_count > 0 AND p.latest >= %(last_due)s THEN 1 ELSE 0 END) AS active,
       SUM(CASE WHEN p.paid_count > 0 AND p.latest < %(last_due)s AND p.latest >= %(inactive_below)s
           THEN 1 ELSE 0 END) AS in_arrears,
       SUM(CASE WHEN p.paid_count > 0 AND p.latest < %(inactive_below)s THEN 1 ELSE 0 END) AS inactive
FROM workers_worker w
LEFT JOIN (
    SELECT worker_id, COUNT(*) AS paid_count, MAX(periode_index) AS latest
    FROM contributions_workermonth
    WHERE paid_from <= %(as_of)s AND (paid_until IS NULL OR paid_until > %(as_of)s) {month_filter}
    GROUP BY worker_id
) p ON p.worker_id = w.id
WHERE w.tanggal_daftar <= %(as_of)s AND (w.withdrawn_on IS NULL OR w.withdrawn_on > %(as_of)s) {worker_filter}
GROUP BY w.lingkungan_id
"""


def _in_list(column: str, name: str, ids: list[int] | None, params: dict[str, Any]) -> str:
    """`AND column IN (...)` with one named parameter per id (added to `params`); empty without a list."""
    if ids is None:
        return ""
    names = [f"{name}_{n}" for n in range(len(ids))]
    params.update(zip(names, ids, strict=True))
    return f"AND {column} IN ({', '.join(f'%({n})s' for n in names)})" if ids else "AND 1 = 0"


def lingkungan_figures(
    as_of: datetime.date, lingkungan_ids: list[int] | None = None, kelurahan_ids: list[int] | None = None
) -> dict[int, StatusFigures]:
    """Status figures per lingkungan as of a date, in one set-based query (lingkungan with no worker left out)."""
    from django.db import connection

    last_due = month_index(last_due_month_before(as_of))
    params: dict[str, Any] = {
        "last_due": last_due,
        "inactive_below": last_due - ARREARS_BEFORE_INACTIVE,
        "as_of": connection.ops.adapt_datefield_value(as_of),
    }
    sql = LINGKUNGAN_FIGURES_SQL.format(
        month_filter=_in_list("kelurahan_id", "kelurahan", kelurahan_ids, params),
        worker_filter=_in_list("w.lingkungan_id", "lingkungan", lingkungan_ids, params),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0].lower() for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor]
    # By name, strictly: a column the statement lacks is an error here, never a silent 0.
    return {int(row["lingkungan_id"]): StatusFigures(**{n: int(row[n] or 0) for n in FIGURE_NAMES}) for row in rows}
