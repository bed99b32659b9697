"""Indonesian number, percent, Rupiah and date formats, independent of the active locale.

Officials read 1.234.567 and 74,08% whatever language the page is in, so these never go
through Django's locale machinery.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
EMPTY = "–"

Number = int | float | Decimal


def _as_decimal(value: Number | str) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _group(digits: str) -> str:
    """'1234567' -> '1.234.567'."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


def format_number(value: Number | str | None, decimals: int = 0) -> str:
    """1234567 -> '1.234.567'; with decimals, a comma: 1234.5 -> '1.234,50'."""
    number = _as_decimal(value) if value is not None else None
    if number is None:
        return EMPTY
    quantum = Decimal(1).scaleb(-decimals)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    text = sign + _group(whole)
    return f"{text},{fraction}" if decimals > 0 else text


def format_percent(value: Number | str | None, decimals: int = 2) -> str:
    """Decimal('74.08') -> '74,08%' (rounded half-up)."""
    text = format_number(value, decimals)
    return EMPTY if text == EMPTY else f"{text}%"


def format_rupiah(value: Number | str | None) -> str:
    """16800 -> 'Rp16.800'; negative amounts as '-Rp16.800'."""
    text = format_number(value)
    if text == EMPTY:
        return EMPTY
    return f"-Rp{text[1:]}" if text.startswith("-") else f"Rp{text}"


def format_date(value: datetime.date | None) -> str:
    """date(2025, 10, 29) -> '29 Oktober 2025' (a datetime gives its own calendar date)."""
    if value is None:
        return EMPTY
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_month(value: datetime.date | None) -> str:
    """date(2025, 10, 1) -> 'Oktober 2025', for contribution months."""
    if value is None:
        return EMPTY
    return f"{MONTHS[value.month - 1]} {value.year}"
