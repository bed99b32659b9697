"""The registry's problems, reworded for people: field labels instead of column names, Indonesian dates.

The registry's checks name the contract's columns (`no_hp`, `penghasilan`), which is right for
import files and the API; on a form the person sees the field's label and dates like 14 Mei 2025.
"""

from __future__ import annotations

import datetime
import re

from kepling.core.formatting import format_date, format_month

ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
ISO_MONTH = re.compile(r"\b(\d{4})-(\d{2})\b")
COLUMN_TOKEN = re.compile(r"\b[a-z]+_[a-z_]+\b")
# "penghasilan (declared monthly income) is required": the gloss repeats what the label says.
LEADING_COLUMN = re.compile(r"^(?P<column>[a-z_]+)(?: \([^)]*\))?(?P<rest>\s.*)$", re.DOTALL)


def _day(match: re.Match[str]) -> str:
    try:
        return format_date(datetime.date(int(match[1]), int(match[2]), int(match[3])))
    except ValueError:
        return match[0]


def _month(match: re.Match[str]) -> str:
    month = int(match[2])
    return format_month(datetime.date(int(match[1]), month, 1)) if 1 <= month <= 12 else match[0]


def indonesian_dates(text: str) -> str:
    """'2025-05-14' -> '14 Mei 2025' and '2025-05' -> 'Mei 2025' inside a message."""
    return ISO_MONTH.sub(_month, ISO_DAY.sub(_day, text))


def humanise(message: str, labels: dict[str, str]) -> str:
    """The message with column names replaced by the labels of the fields they stand for."""
    leading = LEADING_COLUMN.match(message)
    if leading is not None and leading["column"] in labels:
        message = labels[leading["column"]] + leading["rest"]
    message = COLUMN_TOKEN.sub(lambda m: labels.get(m[0], m[0]), message)
    return indonesian_dates(message)
