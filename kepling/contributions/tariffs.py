"""What is due from a worker for a month: the one function every amount in the product comes from.

The rules are rows (ContributionRate, ContributionDiscount, IncomeBand) so a new regulation is
a data change. A `TariffBook` loads them once so bulk work does not query per worker.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from kepling.contributions.models import ContributionDiscount, ContributionRate, IncomeBand

JHT_PROGRAM = "JKK-JKM-JHT"


def _percent_of(amount: int, basis_points: int) -> int:
    """basis_points/10000 of an amount, rounded half up to whole Rupiah."""
    return (amount * basis_points + 5_000) // 10_000


@dataclass(frozen=True)
class DueBreakdown:
    """The amount due for one month, per component, after discounts."""

    month: datetime.date
    components: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.components.values())


class TariffBook:
    """All tariff rows, loaded once."""

    def __init__(self) -> None:
        self.rates = list(ContributionRate.objects.all())
        self.discounts = list(ContributionDiscount.objects.all())
        self.bands = list(IncomeBand.objects.order_by("valid_from", "lower"))
        self._memo: dict[tuple[datetime.date, str, str, str, int], DueBreakdown] = {}

    def _rate(self, component: str, month: datetime.date) -> ContributionRate | None:
        current = [
            r
            for r in self.rates
            if r.component == component and r.valid_from <= month and (r.valid_to is None or r.valid_to >= month)
        ]
        return max(current, key=lambda r: r.valid_from) if current else None

    def declared_basis(self, income: int, month: datetime.date) -> int:
        """The income a contribution is charged on: clamped to the bounds, then the band's basis."""
        bands = [b for b in self.bands if b.valid_from <= month]
        if not bands:
            return income
        latest = max(b.valid_from for b in bands)
        bands = [b for b in bands if b.valid_from == latest]
        low, high = min(b.lower for b in bands), max(b.upper for b in bands)
        clamped = min(max(income, low), high)
        band = next((b for b in bands if b.lower <= clamped <= b.upper), None)
        return band.basis if band is not None and band.basis is not None else clamped

    def _discount(self, component: str, month: datetime.date, sektor: str, payer: str) -> int:
        for d in self.discounts:
            applies = (
                d.valid_from <= month <= d.valid_to
                and component in {c.strip() for c in d.components.split(",")}
                and (not d.sektor or d.sektor == sektor)
                and payer not in {p.strip() for p in d.excluded_payers.split(",") if p.strip()}
            )
            if applies:
                return d.percent_off
        return 0

    def due(
        self, *, month: datetime.date, program: str, sektor: str, sumber_iuran: str, penghasilan: int
    ) -> DueBreakdown:
        """The contribution for `month` of a worker with these attributes."""
        month = month.replace(day=1)
        key = (month, program, sektor, sumber_iuran, penghasilan)
        if key not in self._memo:
            self._memo[key] = self._compute(month, program, sektor, sumber_iuran, penghasilan)
        return self._memo[key]

    def _compute(
        self, month: datetime.date, program: str, sektor: str, sumber_iuran: str, penghasilan: int
    ) -> DueBreakdown:
        basis = self.declared_basis(penghasilan, month)
        wanted = ["JKK", "JKM", "JHT"] if program == JHT_PROGRAM else ["JKK", "JKM"]
        parts: dict[str, int] = {}
        for component in wanted:
            rate = self._rate(component, month)
            if rate is None:
                continue
            amount = _percent_of(basis, rate.basis_points_of_income) + rate.flat_amount
            off = self._discount(component, month, sektor, sumber_iuran)
            # PP 50/2025: the payable part of a halved component is rounded half up (12,345 -> 6,173).
            parts[component] = _percent_of(amount, (100 - off) * 100) if off else amount
        return DueBreakdown(month, parts)


def amount_due(
    *,
    month: datetime.date,
    program: str,
    sektor: str,
    sumber_iuran: str,
    penghasilan: int,
    book: TariffBook | None = None,
) -> int:
    """What is due from a worker with these attributes for `month`, in whole Rupiah."""
    return (
        (book or TariffBook())
        .due(month=month, program=program, sektor=sektor, sumber_iuran=sumber_iuran, penghasilan=penghasilan)
        .total
    )
