"""The one check of an "as of" date, shared by every page, report, API operation and command.

Figures exist from the program's start up to today; payments are only known up to the newest
payment in the BPJS extracts, so a later date is shown with a warning naming that date (every
unpaid worker would look late only for want of data). A date outside the span is refused: a
far-future date would otherwise make the server compute and store summaries for every month up
to it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.contributions.models import Payment
from kepling.core.formatting import format_date

# The newest payment date per state of the ledger: (newest row's id, its created_at, today).
_latest_payment: dict[tuple[int, datetime.datetime, datetime.date], datetime.date | None] = {}


class InvalidAsOfError(Exception):
    """An as-of date that is malformed or outside the span figures exist for; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AsOf:
    """A checked as-of date, and the warning to show with it (empty when the data reach it)."""

    date: datetime.date
    warning: str = ""


def program_start() -> datetime.date:
    """The first day figures are shown for."""
    return datetime.date.fromisoformat(str(settings.PROGRAM_START))


def latest_data_date() -> datetime.date | None:
    """The newest payment date the BPJS extracts brought (None before the first payment).

    The ledger only grows, so its newest row (one index look-up) tells whether it changed;
    the newest payment date, a scan of the whole ledger, is found once per change.
    """
    today = timezone.localdate()
    newest = Payment.objects.order_by("-id").values_list("id", "created_at").first()
    if newest is None:
        return None
    key = (newest[0], newest[1], today)
    if key not in _latest_payment:
        # Reversals are dated when a mistake is found, not when BPJS data arrived: they say nothing of its recency.
        received = Payment.objects.filter(tanggal_bayar__lte=today, jumlah__gt=0)
        latest = received.aggregate(d=Max("tanggal_bayar"))["d"]
        _latest_payment.clear()
        _latest_payment[key] = latest
    return _latest_payment[key]


def date_span() -> tuple[datetime.date, datetime.date]:
    """(first, last) date a user may ask figures for."""
    today = timezone.localdate()
    return min(program_start(), today), today


def picker_span() -> tuple[str, str]:
    """(min, max) of the date pickers, ISO-written: the dates that have data."""
    first, last = date_span()
    return first.isoformat(), min(last, latest_data_date() or last).isoformat()


def _long(day: datetime.date) -> str:
    return format_date(day)


def check_as_of(value: str | datetime.date | None) -> AsOf:
    """The as-of date to use for `value` (text or date; empty means the latest data), or InvalidAsOfError."""
    latest = latest_data_date()
    if value is None or value == "":
        return AsOf(latest or timezone.localdate())
    day = value if isinstance(value, datetime.date) else _parse(value)
    first, last = date_span()
    if not first <= day <= last:
        message = _("Figures exist from %(first)s to %(last)s; %(day)s is outside that span.")
        raise InvalidAsOfError(message % {"first": _long(first), "last": _long(last), "day": _long(day)})
    if latest is not None and day > latest:
        warning = _(
            "The latest BPJS payment data are of %(latest)s: after that date unpaid months may only be "
            "payments not yet received, so workers can look late or inactive when they are not."
        )
        return AsOf(day, warning % {"latest": _long(latest)})
    return AsOf(day)


def _parse(text: str) -> datetime.date:
    cleaned = text.strip()
    try:
        return datetime.date.fromisoformat(cleaned)
    except ValueError:
        message = _("“%(value)s” is not a date: write it YYYY-MM-DD, e.g. 2025-10-29.")
        raise InvalidAsOfError(message % {"value": cleaned[:40]}) from None


def as_of_or_default(request: HttpRequest, param: str = "per") -> datetime.date:
    """A page's as-of date from its query string: a refused date shows the latest figures, with the reason."""
    try:
        checked = check_as_of(request.GET.get(param, ""))
    except InvalidAsOfError as error:
        messages.error(request, f"{error.message} {_('Showing the latest figures instead.')}")
        return check_as_of(None).date
    if checked.warning:
        messages.warning(request, checked.warning)
    return checked.date
