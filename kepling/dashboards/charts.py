"""Geometry for the dashboard's inline SVG charts; the templates draw them (no chart library)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from kepling.contributions.status import STATUS_LABELS, Status
from kepling.core.formatting import MONTHS, format_number

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: int
    day: datetime.date


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    protected: list[Point]
    target: list[Point]
    ticks: list[Tick]
    left: int
    right: float
    bottom: float

    @property
    def protected_points(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.protected)

    @property
    def target_points(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.target)

    @property
    def area_points(self) -> str:
        if not self.protected:
            return ""
        first, last = self.protected[0].x, self.protected[-1].x
        return f"{first:.1f},{self.bottom:.1f} {self.protected_points} {last:.1f},{self.bottom:.1f}"


def _nice_step(top: int) -> int:
    """A round step giving about four gridlines up to `top`."""
    raw = max(1, top / 4)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return max(1, int(factor * magnitude))
    return int(10 * magnitude)


def short_date(day: datetime.date, last: bool) -> str:
    """'Jun' for month ends; the as-of point gets its day: '29 Okt'."""
    month = MONTHS[day.month - 1][:3]
    return f"{day.day} {month}" if last else month


def progress_chart(series: list[dict[str, Any]]) -> LineChart:
    """Protected workers at each month end against the target line."""
    top = max([1, *(row["protected"] for row in series), *(row["target"] for row in series)])
    step = _nice_step(top)
    ceiling = step * (-(-int(top * 1.05) // step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(series)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(value: int) -> float:
        return TOP + plot_h * (1 - value / ceiling)

    protected, target = [], []
    for i, row in enumerate(series):
        day = datetime.date.fromisoformat(row["as_of"])
        label = short_date(day, i == count - 1)
        protected.append(Point(x(i), y(row["protected"]), label, row["protected"], day))
        target.append(Point(x(i), y(row["target"]), label, row["target"], day))
    ticks = [Tick(y(v), format_number(v)) for v in range(0, ceiling + 1, step)]
    return LineChart(WIDTH, HEIGHT, protected, target, ticks, LEFT, WIDTH - RIGHT, TOP + plot_h)


@dataclass(frozen=True)
class Bar:
    status: str
    label: str
    value: int
    y: int
    width: float
    text_x: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def status_chart(summary: dict[str, Any]) -> BarChart:
    """One horizontal bar per worker status."""
    statuses = [Status.ACTIVE, Status.IN_ARREARS, Status.INACTIVE, Status.NEVER_PAID]
    width, label_width, row = 480, 190, 44
    bar_area = width - label_width - 70
    top = max([1, *(int(summary[s.value]) for s in statuses)])
    bars = []
    for i, status in enumerate(statuses):
        value = int(summary[status.value])
        length = bar_area * value / top
        bars.append(Bar(status.value, str(STATUS_LABELS[status]), value, 8 + i * row, length, label_width + length + 8))
    return BarChart(width, 8 + len(statuses) * row, label_width, bars)
