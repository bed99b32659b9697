"""The award ranking: one composite score that rewards keeping workers paying, not only signing them up.

score = 100 x (0.50 x reach(protected) + 0.35 x reach(active) + 0.15 x reach(paid two months or more))
with reach(n) = min(n / target, 1.5) / 1.5.

Every term is measured against the unit's target, not as a share of its own workers: a share
would let a unit with two faithful payers beat one with thirty, most of them paying. Going
past the target counts up to 150% of it (37.5 workers for a lingkungan of 25), so the best
units are still told apart. Registered workers who never paid count nowhere: they are not
protected. A unit with no target scores 0.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from kepling.contributions.figures import FIGURE_NAMES, StatusFigures, figures_from
from kepling.contributions.summaries import ensure_summaries, percent, summary_rows
from kepling.regions.models import KECAMATAN, KELURAHAN, LEVEL_KEYS, LINGKUNGAN, KeplingTerm, Wilayah

REACH_CAP = Decimal("1.5")
WEIGHT_PROTECTED = Decimal("0.50")
WEIGHT_ACTIVE = Decimal("0.35")
WEIGHT_REPEAT = Decimal("0.15")

FORMULA_TEXT = _(
    "Score = 100 × (50% × P + 35% × A + 15% × B), where P = protected workers, A = active workers "
    "(paying without arrears) and B = workers who paid two months or more, each divided by the target "
    "and counted up to 150% of it (then divided by 1.5). Workers who never paid count nowhere. "
    "Ties go to the unit with more active workers."
)

# The tabs of the ranking page, by wilayah level (the Kepling tab ranks lingkungan by their Kepling).
LEVELS = {"kecamatan": KECAMATAN, "kelurahan": KELURAHAN, "kepling": LINGKUNGAN}


def _reach(count: int, target: int) -> Decimal:
    return min(Decimal(count) / Decimal(target), REACH_CAP) / REACH_CAP


def ranking_score(*, target: int, protected: int, active: int, paid_one_month_only: int) -> Decimal:
    """The composite score (0-100, two decimals) of a unit's figures."""
    if target <= 0:
        return Decimal("0.00")
    repeat = max(0, protected - paid_one_month_only)
    value = (
        WEIGHT_PROTECTED * _reach(protected, target)
        + WEIGHT_ACTIVE * _reach(active, target)
        + WEIGHT_REPEAT * _reach(repeat, target)
    ) * 100
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class UnitFigures(StatusFigures):
    """A unit's name and figures, read as plain values (a ranking holds every unit of the city)."""

    wilayah_id: int
    kode: str
    nama: str
    parent_nama: str
    target: int
    kepling_id: int | None = None
    kepling_nama: str = ""

    @property
    def progress_pct(self) -> float | None:
        return percent(self.protected, self.target)


@dataclass(frozen=True)
class RankedUnit:
    """A unit's place in a ranking."""

    rank: int
    score: Decimal
    unit: UnitFigures

    def as_entry(self) -> dict[str, Any]:
        """Every figure of the entry, named like the fields of a published `RankingEntry`."""
        return {"rank": self.rank, "score": self.score, **asdict(self.unit), "progress_pct": self.unit.progress_pct}


def rank_units(units: list[UnitFigures]) -> list[RankedUnit]:
    """Units ordered by score (then active, protected, code), with competition ranks (1, 2, 2, 4)."""
    scored = [
        (
            ranking_score(
                target=u.target, protected=u.protected, active=u.active, paid_one_month_only=u.paid_one_month_only
            ),
            u,
        )
        for u in units
    ]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].active, -pair[1].protected, pair[1].kode))
    ranked: list[RankedUnit] = []
    for position, (score, unit) in enumerate(scored, start=1):
        tied = ranked and ranked[-1].score == score and ranked[-1].unit.active == unit.active
        ranked.append(RankedUnit(ranked[-1].rank if tied else position, score, unit))
    return ranked


def _kepling_in_office(city: Wilayah, as_of: datetime.date) -> dict[int, tuple[int, str]]:
    terms = (
        KeplingTerm.objects.filter(Q(end__isnull=True) | Q(end__gte=as_of), start__lte=as_of, lingkungan__kota=city)
        .order_by("start")
        .values_list("lingkungan_id", "kepling_id", "kepling__full_name", "kepling__username")
    )
    return {lingkungan: (kepling, full_name or username) for lingkungan, kepling, full_name, username in terms}


def live_ranking(city: Wilayah, level: int, as_of: datetime.date) -> list[RankedUnit]:
    """The ranking of every unit at a level of the city as of a date, from the stored summaries.

    The Kepling tab credits each lingkungan's figures to the Kepling in office on the date.
    """
    ensure_summaries(as_of)
    key = f"{LEVEL_KEYS[level]}_id"
    rows = summary_rows(city, as_of).values(key)
    if level != LINGKUNGAN:
        rows = rows.annotate(**{n: Sum(n) for n in FIGURE_NAMES})
    figures = {row[key]: row for row in rows.values(key, *FIGURE_NAMES)}
    targets = dict(
        Wilayah.objects.filter(level=LINGKUNGAN, kota=city).values(key).annotate(t=Sum("target")).values_list(key, "t")
    )
    kepling = _kepling_in_office(city, as_of) if level == LINGKUNGAN else {}
    units = [
        UnitFigures(
            wilayah_id=pk, kode=kode, nama=nama, parent_nama=parent_nama or "", target=int(targets.get(pk) or 0),
            **figures_from(figures.get(pk)),
            kepling_id=kepling.get(pk, (None, ""))[0], kepling_nama=kepling.get(pk, (None, ""))[1],
        )
        for pk, kode, nama, parent_nama in Wilayah.objects.filter(level=level, kota=city)
        .order_by("kode")
        .values_list("pk", "kode", "nama", "parent__nama")
    ]
    return rank_units(units)
