"""Contribution months and their due dates.

A month is stored as the first day of the month. The contribution for month M is due on the
15th of M, moved to the next working day when the 15th is a weekend or an Indonesian public
holiday (the `holidays` package's calendar).
"""

from __future__ import annotations

import datetime
import functools

import holidays


def month_start(day: datetime.date) -> datetime.date:
    """The first day of the day's month."""
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    """Shift a month by `count` months (negative goes back)."""
    index = month_index(month) + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_index(month: datetime.date) -> int:
    """A month as a running integer (year * 12 + month - 1), so month arithmetic is subtraction."""
    return month.year * 12 + month.month - 1


def month_from_index(index: int) -> datetime.date:
    """Reverse of `month_index`."""
    return datetime.date(index // 12, index % 12 + 1, 1)


@functools.cache
def _indonesian_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("ID", years=[year, year + 1])


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not an Indonesian public holiday."""
    return day.weekday() < 5 and day not in _indonesian_holidays(day.year)


@functools.cache
def due_date(month: datetime.date) -> datetime.date:
    """When the contribution for `month` is due: the 15th, or the next working day."""
    day = month.replace(day=15)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def last_due_month_before(as_of: datetime.date) -> datetime.date:
    """The latest month whose due date is strictly before `as_of`."""
    month = month_start(as_of)
    while due_date(month) >= as_of:
        month = add_months(month, -1)
    return month


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from `first` to `last`, both included."""
    return [month_from_index(i) for i in range(month_index(first), month_index(last) + 1)]
