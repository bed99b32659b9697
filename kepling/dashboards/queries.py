"""What dashboards, rankings and reports show, read from the stored summaries.

Every function takes a node the caller already obtained through the scoping chokepoint
(`kepling.accounts.scoping.access_wilayah`) and reads LingkunganSummary rows, never the ledger.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from kepling.accounts.models import User
from kepling.contributions.as_of import latest_data_date
from kepling.contributions.figures import FIGURE_NAMES, StatusFigures, figures_from, stored_figures
from kepling.contributions.models import LingkunganSummary
from kepling.contributions.summaries import ensure_summaries, ensure_summaries_for, percent, summary_rows
from kepling.core.periods import add_months, month_start
from kepling.regions.models import LEVEL_KEYS, LINGKUNGAN, KeplingTerm, Wilayah


def default_as_of() -> datetime.date:
    """The date figures are shown for unless the user picks one: the latest BPJS data, or today.

    Payments reach the city as extracts, so figures are as current as the newest payment
    received; after that date every unpaid worker would look late only for want of data.
    """
    return latest_data_date() or timezone.localdate()


@dataclass(frozen=True)
class UnitRow(StatusFigures):
    """One unit's figures in a table of units."""

    node: Wilayah
    target: int

    @property
    def remaining(self) -> int:
        return max(0, self.target - self.protected)

    @property
    def progress_pct(self) -> float | None:
        return percent(self.protected, self.target)

    @property
    def active_share_pct(self) -> float | None:
        """Share of protected workers still active: the continuity of payment."""
        return percent(self.active, self.protected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kode": self.node.kode,
            "nama": self.node.nama,
            "tingkat": self.node.tingkat,
            "target": self.target,
            "registered": self.registered,
            "protected": self.protected,
            "remaining": self.remaining,
            "progress_pct": self.progress_pct,
            "paid_one_month_only": self.paid_one_month_only,
            "never_paid": self.never_paid,
            "active": self.active,
            "in_arrears": self.in_arrears,
            "inactive": self.inactive,
        }


def units_below(node: Wilayah, as_of: datetime.date) -> list[UnitRow]:
    """The units one level below a node with their figures, in code order."""
    if node.level >= LINGKUNGAN:
        return []
    ensure_summaries(as_of)
    child_key = LEVEL_KEYS[node.level + 1]
    sums = {
        row[f"{child_key}_id"]: row
        for row in summary_rows(node, as_of)
        .values(f"{child_key}_id")
        .annotate(**{name: Sum(name) for name in FIGURE_NAMES})
    }
    targets = dict(
        Wilayah.objects.filter(level=LINGKUNGAN, **{LEVEL_KEYS[node.level]: node})
        .values(f"{child_key}_id")
        .annotate(t=Sum("target"))
        .values_list(f"{child_key}_id", "t")
    )
    return [
        UnitRow(node=child, target=int(targets.get(child.pk) or 0), **figures_from(sums.get(child.pk)))
        for child in Wilayah.objects.filter(parent=node).order_by("kode")
    ]


@dataclass(frozen=True)
class KeplingRow:
    """A lingkungan with the Kepling in office on the date, for tables and chasing."""

    unit: UnitRow
    kepling: User | None

    @property
    def below_target(self) -> bool:
        return self.unit.protected < self.unit.target


def kepling_rows(node: Wilayah, as_of: datetime.date) -> list[KeplingRow]:
    """Every lingkungan under a node with its figures and the Kepling in office on `as_of`."""
    ensure_summaries(as_of)
    rows = summary_rows(node, as_of).select_related("lingkungan")
    in_office = {
        t.lingkungan_id: t.kepling
        for t in KeplingTerm.objects.filter(
            Q(end__isnull=True) | Q(end__gte=as_of),
            start__lte=as_of,
            lingkungan__in=Wilayah.objects.filter(level=LINGKUNGAN, **{LEVEL_KEYS[node.level]: node}),
        ).select_related("kepling")
    }
    return [
        KeplingRow(
            UnitRow(node=r.lingkungan, target=r.lingkungan.target or 0, **stored_figures(r)),
            in_office.get(r.lingkungan_id),
        )
        for r in sorted(rows, key=lambda r: r.lingkungan.kode)
    ]


def month_ends(first: datetime.date, as_of: datetime.date) -> list[datetime.date]:
    """The last day of each month from `first` up to `as_of`, ending with `as_of` itself."""
    points, month = [], month_start(first)
    while True:
        end = add_months(month, 1) - datetime.timedelta(days=1)
        if end >= as_of:
            break
        points.append(end)
        month = add_months(month, 1)
    return [*points, as_of]


def progress_series(node: Wilayah, as_of: datetime.date, first: datetime.date) -> list[dict[str, Any]]:
    """Protected workers and statuses at each month end, for the chart against the target line."""
    days = month_ends(first, as_of)
    stored = ensure_summaries_for(days)  # month ends are computed ahead; one not yet stored is left out
    # One grouped read for every point: a page pays one round trip, not one per month.
    sums = {
        row.pop("as_of"): row
        for row in LingkunganSummary.objects.filter(as_of__in=stored, **{f"{LEVEL_KEYS[node.level]}_id": node.pk})
        .values("as_of")
        .annotate(**{n: Sum(n) for n in FIGURE_NAMES}, target=Sum("target"))
        .order_by()
    }
    empty = dict.fromkeys([*FIGURE_NAMES, "target"], 0)
    return [
        {"as_of": day.isoformat(), **{k: int(v or 0) for k, v in sums.get(day, empty).items()}}
        for day in days
        if day in stored
    ]


def lingkungan_summary_row(lingkungan: Wilayah, as_of: datetime.date) -> LingkunganSummary | None:
    """The stored figures of one lingkungan (for the Kepling's home)."""
    ensure_summaries(as_of)
    return LingkunganSummary.objects.filter(lingkungan=lingkungan, as_of=as_of).first()


def kepling_in_office_map(lingkungan_ids: list[int], as_of: datetime.date) -> dict[int, User]:
    """The Kepling in office on `as_of` for each of some lingkungan."""
    terms = KeplingTerm.objects.filter(
        Q(end__isnull=True) | Q(end__gte=as_of), start__lte=as_of, lingkungan_id__in=lingkungan_ids
    ).select_related("kepling")
    return {t.lingkungan_id: t.kepling for t in terms.order_by("start")}


def kepling_behind(node: Wilayah, as_of: datetime.date) -> Any:
    """Stored lingkungan rows under a node whose protected count is below target, furthest behind first."""
    ensure_summaries(as_of)
    from django.db.models import F

    return (
        summary_rows(node, as_of)
        .filter(protected__lt=F("target"))
        .annotate(gap=F("target") - F("protected"))
        .select_related("lingkungan", "kelurahan")
        .order_by("-gap", "lingkungan__kode")
    )
