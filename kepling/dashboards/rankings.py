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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from kepling.accounts.models import User
from kepling.dashboards.queries import UnitRow, kepling_in_office_map, units_at_level
from kepling.regions.models import KECAMATAN, KELURAHAN, LINGKUNGAN, Wilayah

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
class RankedUnit:
    """A unit's place in a ranking."""

    rank: int
    unit: UnitRow
    score: Decimal
    kepling: User | None = None

    @property
    def parent_nama(self) -> str:
        parent = self.unit.node.parent
        return parent.nama if parent is not None else ""

    def as_entry(self) -> dict[str, Any]:
        """Every figure of the entry, named like the fields of a published `RankingEntry`."""
        unit = self.unit
        return {
            "rank": self.rank, "score": self.score, "wilayah": unit.node, "kode": unit.node.kode,
            "nama": unit.node.nama, "parent_nama": self.parent_nama, "kepling": self.kepling,
            "kepling_nama": str(self.kepling) if self.kepling else "", "target": unit.target,
            "registered": unit.registered, "protected": unit.protected,
            "paid_one_month_only": unit.paid_one_month_only, "never_paid": unit.never_paid, "active": unit.active,
            "in_arrears": unit.in_arrears, "inactive": unit.inactive, "progress_pct": unit.progress_pct,
        }


def rank_units(units: list[UnitRow], kepling: dict[int, User] | None = None) -> list[RankedUnit]:
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
    scored.sort(key=lambda pair: (-pair[0], -pair[1].active, -pair[1].protected, pair[1].node.kode))
    ranked: list[RankedUnit] = []
    for position, (score, unit) in enumerate(scored, start=1):
        tied = ranked and ranked[-1].score == score and ranked[-1].unit.active == unit.active
        rank = ranked[-1].rank if tied else position
        ranked.append(RankedUnit(rank, unit, score, (kepling or {}).get(unit.node.pk)))
    return ranked


def live_ranking(city: Wilayah, level: int, as_of: datetime.date) -> list[RankedUnit]:
    """The ranking of every unit at a level of the city as of a date, from the stored summaries.

    The Kepling tab credits each lingkungan's figures to the Kepling in office on the date.
    """
    units = units_at_level(city, level, as_of)
    kepling = kepling_in_office_map([u.node.pk for u in units], as_of) if level == LINGKUNGAN else None
    return rank_units(units, kepling)
