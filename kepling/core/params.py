"""Query parameters read strictly: a value a page cannot use is a 400 with the reason, never a default."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.core.errors import InvalidParameterError
from kepling.core.formatting import format_date


def date_param(request: HttpRequest, name: str, default: Callable[[], datetime.date]) -> datetime.date:
    """An ISO date between the program's start and today, or the default when absent."""
    text = request.GET.get(name, "").strip()
    if not text:
        return default()
    start = datetime.date.fromisoformat(settings.PROGRAM_START)
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not start <= day <= today:
        message = _("“%(value)s” cannot be used as %(name)s: give a date (YYYY-MM-DD) from %(start)s to today.") % {
            "value": text[:40],
            "name": name,
            "start": format_date(start),
        }
        raise InvalidParameterError(name, message)
    return day
