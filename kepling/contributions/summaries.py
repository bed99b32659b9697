"""Stored per-lingkungan summaries and the node figures every screen, report and command reads.

A date's summaries are computed for every lingkungan at once, set-based, the first time the
date is asked for (and nightly for today). Registry and ledger writes mark lingkungan stale;
`refresh_stale` recomputes just those, for every stored date from the change on.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum

from kepling.contributions.models import LingkunganSummary, SummaryDate
from kepling.contributions.status import FIGURE_NAMES, lingkungan_figures
from kepling.regions.models import LEVEL_KEYS, LINGKUNGAN, StaleSummary, Wilayah, lingkungan_ancestors
from kepling.regions.queries import statistics_for


def percent(part: int, whole: int) -> float | None:
    """part/whole x 100, rounded half up to 2 decimals; None when there is no whole."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def _write_rows(as_of: datetime.date, lingkungan: list[Wilayah], figures: dict[int, dict[str, int]]) -> None:
    empty = dict.fromkeys(FIGURE_NAMES, 0)
    rows = [
        LingkunganSummary(
            lingkungan_id=node.pk,
            **lingkungan_ancestors(node),
            as_of=as_of,
            target=node.target or 0,
            **figures.get(node.pk, empty),
        )
        for node in lingkungan
    ]
    LingkunganSummary.objects.filter(as_of=as_of, lingkungan_id__in=[n.pk for n in lingkungan]).delete()
    LingkunganSummary.objects.bulk_create(rows, batch_size=2000)


def compute_date(as_of: datetime.date) -> None:
    """Compute and store every lingkungan's summary for a date."""
    lingkungan = list(Wilayah.objects.filter(level=LINGKUNGAN))
    figures = lingkungan_figures(as_of)
    try:
        with transaction.atomic():
            _write_rows(as_of, lingkungan, figures)
            SummaryDate.objects.update_or_create(as_of=as_of)
    except IntegrityError:
        pass  # another process stored the same date at the same moment: its rows are as good


def refresh_lingkungan(as_of: datetime.date, lingkungan: list[Wilayah]) -> None:
    """Recompute the stored summaries of some lingkungan for one date."""
    if not lingkungan:
        return
    kelurahan_ids = sorted({n.kelurahan_id for n in lingkungan if n.kelurahan_id})
    figures = lingkungan_figures(as_of, [n.pk for n in lingkungan], kelurahan_ids)
    with transaction.atomic():
        _write_rows(as_of, lingkungan, figures)


def refresh_stale() -> int:
    """Recompute lingkungan marked stale, for every stored date from their change on."""
    markers = list(StaleSummary.objects.select_related("lingkungan"))
    if not markers:
        return 0
    earliest = min(m.since for m in markers)
    for as_of in SummaryDate.objects.filter(as_of__gte=earliest).values_list("as_of", flat=True):
        refresh_lingkungan(as_of, [m.lingkungan for m in markers if m.since <= as_of])
    for marker in markers:
        StaleSummary.objects.filter(pk=marker.pk, since=marker.since).delete()
    return len(markers)


def ensure_summaries(as_of: datetime.date) -> None:
    """Make the stored summaries for a date current."""
    refresh_stale()
    if not SummaryDate.objects.filter(as_of=as_of).exists():
        compute_date(as_of)


def summary_rows(node: Wilayah, as_of: datetime.date) -> Any:
    """The stored lingkungan rows under a node for a date (call `ensure_summaries` first)."""
    return LingkunganSummary.objects.filter(as_of=as_of, **{f"{LEVEL_KEYS[node.level]}_id": node.pk})


def unit_counts(node: Wilayah) -> dict[str, int]:
    """How many kecamatan, kelurahan and lingkungan the node's subtree holds (itself included)."""
    counts = Wilayah.objects.filter(**{LEVEL_KEYS[node.level]: node}).aggregate(
        **{key: Count("id", filter=Q(level=level)) for level, key in LEVEL_KEYS.items() if level > 0}
    )
    return {key: int(value or 0) for key, value in counts.items()}


def node_summary(node: Wilayah, as_of: datetime.date) -> dict[str, Any]:
    """Every program figure of a node as of a date (contract: `kepling summary --json`)."""
    ensure_summaries(as_of)
    sums = summary_rows(node, as_of).aggregate(**{name: Sum(name) for name in FIGURE_NAMES})
    figures = {name: int(sums[name] or 0) for name in FIGURE_NAMES}
    target = (
        Wilayah.objects.filter(level=LINGKUNGAN, **{LEVEL_KEYS[node.level]: node}).aggregate(t=Sum("target"))["t"] or 0
    )
    stats = statistics_for(node, as_of)
    labour_force, participants = stats if stats else (None, None)
    return {
        "as_of": as_of.isoformat(),
        "wilayah": {"kode": node.kode, "nama": node.nama, "tingkat": node.tingkat},
        "target": int(target),
        **figures,
        "remaining": max(0, int(target) - figures["protected"]),
        "progress_pct": percent(figures["protected"], int(target)),
        "labour_force": labour_force,
        "bpjs_active_participants": participants,
        "coverage_pct": percent(stats[1], stats[0]) if stats else None,
        **unit_counts(node),
    }
