"""Retention and registration cohorts of a node, as of a date.

Retention at k months is persistency, as insurers measure it: of the protected workers whose
first paid month F has month F+k due before D, the share who have paid month F+k by D, however
late they paid it. A worker who registers and pays once, then stops, is not retained; one who
always pays a few days after the due date is.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django_tasks import task

from kepling.contributions.models import LingkunganSummary, WorkerMonth
from kepling.contributions.status import registered_on, with_status
from kepling.contributions.summaries import percent
from kepling.core.periods import due_date, month_from_index, month_index
from kepling.regions.models import LEVEL_KEYS, Wilayah
from kepling.workers.models import Worker

HORIZONS = (3, 6, 12)
# A node's tables stay a week (a new key replaces them as soon as the figures change); a request
# that found none asks the job again after ten minutes at the earliest (a job lost in a restart).
TABLES_KEPT_SECONDS = 7 * 24 * 3600
ASKED_FOR_SECONDS = 600


@dataclass(frozen=True)
class Retention:
    months: int
    eligible: int
    retained: int

    @property
    def pct(self) -> float | None:
        return percent(self.retained, self.eligible)


def _spans(node: Wilayah, as_of: datetime.date) -> dict[int, list[tuple[int, datetime.date, datetime.date | None]]]:
    scope = {f"worker__{LEVEL_KEYS[node.level]}_id": node.pk}
    rows = (
        WorkerMonth.objects.filter(registered_on(as_of, prefix="worker__"), paid_from__lte=as_of, **scope)
        .values_list("worker_id", "periode_index", "paid_from", "paid_until")
        .iterator(chunk_size=20_000)
    )
    spans: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = defaultdict(list)
    for worker_id, index, start, end in rows:
        if start is not None:
            spans[worker_id].append((index, start, end))
    return spans


def retention(node: Wilayah, as_of: datetime.date) -> list[Retention]:
    """Retention at 3, 6 and 12 months for the workers under a node."""
    counts = {k: [0, 0] for k in HORIZONS}
    for spans in _spans(node, as_of).values():
        covered_now = [s for s in spans if s[2] is None or s[2] > as_of]
        if not covered_now:
            continue
        first = min(s[0] for s in covered_now)
        paid_now = {s[0] for s in covered_now}
        for k in HORIZONS:
            if due_date(month_from_index(first + k)) >= as_of:
                continue
            counts[k][0] += 1
            counts[k][1] += (first + k) in paid_now
    return [Retention(k, eligible, retained) for k, (eligible, retained) in counts.items()]


def cohorts(node: Wilayah, as_of: datetime.date) -> list[dict[str, Any]]:
    """Per registration month: registered, protected, active, and the active share of the protected."""
    workers = with_status(
        Worker.objects.filter(registered_on(as_of), **{f"{LEVEL_KEYS[node.level]}_id": node.pk}), as_of
    ).values_list("tanggal_daftar", "status")  # type: ignore[misc]  # `status` is an annotation
    table: dict[int, dict[str, int]] = defaultdict(lambda: {"registered": 0, "protected": 0, "active": 0})
    for registered, status in workers.iterator(chunk_size=20_000):
        row = table[month_index(registered)]
        row["registered"] += 1
        row["protected"] += status != "never_paid"
        row["active"] += status == "active"
    return [
        {"cohort": month_from_index(i).isoformat()[:7], **row, "active_pct": percent(row["active"], row["protected"])}
        for i, row in sorted(table.items())
    ]


@dataclass(frozen=True)
class RetentionTables:
    """What the retention page shows for a node and a date."""

    retention: list[Retention]
    cohorts: list[dict[str, Any]]


def retention_tables(node: Wilayah, as_of: datetime.date) -> RetentionTables | None:
    """The page's tables when the background job has computed them for the node's current figures;
    otherwise asks the job for them (once) and returns None. A page never computes them: they
    read every paid month under the node (seconds for the city).

    The tables are kept in the shared cache under the node's stored summaries for the date (their
    count and latest `computed_at`): any change to the records marks those summaries stale and the
    refresh rewrites them, so a change gives a new key and the old tables are never shown again.
    """
    key = _tables_key(node, as_of)
    if settings.SUMMARIES_COMPUTE_ON_READ:
        compute_retention_tables(node.pk, as_of.isoformat(), key)
    found = cache.get(key)
    if isinstance(found, RetentionTables):
        return found
    if cache.add(f"{key}:asked", True, timeout=ASKED_FOR_SECONDS):
        transaction.on_commit(
            partial(compute_retention_tables_task.enqueue, node.pk, as_of.isoformat(), key), robust=True
        )
    return None


def _tables_key(node: Wilayah, as_of: datetime.date) -> str:
    stored = LingkunganSummary.objects.filter(as_of=as_of, **{f"{LEVEL_KEYS[node.level]}_id": node.pk}).aggregate(
        rows=Count("id"), latest=Max("computed_at")
    )
    latest = stored["latest"].isoformat() if stored["latest"] else "none"
    return f"retention:{node.pk}:{as_of.isoformat()}:{stored['rows']}:{latest}"


def compute_retention_tables(node_id: int, as_of: str, key: str) -> None:
    """Compute and keep a node's retention tables for a date (the background job's work)."""
    node = Wilayah.objects.get(pk=node_id)
    day = datetime.date.fromisoformat(as_of)
    cache.set(key, RetentionTables(retention(node, day), cohorts(node, day)), timeout=TABLES_KEPT_SECONDS)


@task()
def compute_retention_tables_task(node_id: int, as_of: str, key: str) -> None:
    """`compute_retention_tables` run by `kepling db_worker`."""
    compute_retention_tables(node_id, as_of, key)
