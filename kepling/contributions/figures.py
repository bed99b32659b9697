"""The seven status figures of a set of workers (domain.md section 6), declared once.

Every place that holds the figures builds on this declaration: the stored columns
(`StatusCounts`, checked against it by the tests), the SQL that computes them (its columns are
named after these fields and read by name), and the value classes of tables and rankings
(subclasses of `StatusFigures`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class StatusFigures:
    """How many workers are registered, protected, paid one month only, and in each status."""

    registered: int
    protected: int
    paid_one_month_only: int
    never_paid: int
    active: int
    in_arrears: int
    inactive: int

    def figures(self) -> dict[str, int]:
        """The seven figures alone, by name (a subclass's other fields left out)."""
        return {name: value for name, value in asdict(self).items() if name in FIGURE_NAMES}


FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(StatusFigures))

NO_FIGURES = StatusFigures(**dict.fromkeys(FIGURE_NAMES, 0))


def figures_from(source: Mapping[str, Any] | None) -> dict[str, int]:
    """The seven figures read by name from a row or a sum (missing or NULL counts as 0)."""
    source = source or {}
    return {name: int(source.get(name) or 0) for name in FIGURE_NAMES}


def stored_figures(row: Any) -> dict[str, int]:
    """The seven figures of a stored row (a `StatusCounts` model instance)."""
    return {name: int(getattr(row, name)) for name in FIGURE_NAMES}
