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
from typing import Any

from kepling.contributions.models import WorkerMonth
from kepling.contributions.status import registered_on, with_status
from kepling.contributions.summaries import percent
from kepling.core.periods import due_date, month_from_index, month_index
from kepling.regions.models import LEVEL_KEYS, Wilayah
from kepling.workers.models import Worker

HORIZONS = (3, 6, 12)


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
