"""Indonesian format filters: `{% load kepling_format %}`, then angka, persen, rupiah, tanggal."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from kepling.core import formatting

register = template.Library()


@register.filter
def angka(value: int | float | Decimal | str | None, decimals: int = 0) -> str:
    """`{{ 1234567|angka }}` -> 1.234.567."""
    return formatting.format_number(value, decimals)


@register.filter
def persen(value: int | float | Decimal | str | None, decimals: int = 2) -> str:
    """`{{ pct|persen }}` -> 74,08%."""
    return formatting.format_percent(value, decimals)


@register.filter
def rupiah(value: int | float | Decimal | str | None) -> str:
    """`{{ 16800|rupiah }}` -> Rp16.800."""
    return formatting.format_rupiah(value)


@register.filter
def tanggal(value: datetime.date | None) -> str:
    """`{{ day|tanggal }}` -> 29 Oktober 2025; an aware datetime is read in local time."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formatting.format_date(value)


@register.filter
def bulan(value: datetime.date | None) -> str:
    """`{{ month|bulan }}` -> Oktober 2025."""
    return formatting.format_month(value)


@register.filter
def menit(value: datetime.timedelta | None) -> str:
    """A waiting time in whole minutes, rounded up: timedelta(minutes=15) -> 15."""
    if value is None:
        return formatting.EMPTY
    seconds = max(0, int(value.total_seconds()))
    return formatting.format_number(-(-seconds // 60))


@register.filter
def bar_width(value: int | float | Decimal | str | None) -> str:
    """The CSS class (`w-0` .. `w-100`) of a bar this many percent wide: no inline style, so the
    Content-Security-Policy can forbid inline styles altogether."""
    try:
        pct = float(value or 0)
    except (TypeError, ValueError):
        pct = 0.0
    return f"w-{max(0, min(100, round(pct)))}"
