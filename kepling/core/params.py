"""Query parameters read strictly: a value a page cannot use is a 400 with the reason, never a default."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection

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


def one_of_param(request: HttpRequest, name: str, allowed: Collection[str]) -> str:
    """One of the values a page offers (a select's options), "" when absent; anything else is refused."""
    text = request.GET.get(name, "").strip()
    if text and text not in allowed:
        message = _("“%(value)s” cannot be used as %(name)s: choose one of the values the page offers.") % {
            "value": text[:40],
            "name": name,
        }
        raise InvalidParameterError(name, message)
    return text


def text_param(request: HttpRequest, name: str, max_length: int) -> str:
    """Free text (a search), spaces collapsed; longer than the page accepts is refused."""
    text = " ".join(request.GET.get(name, "").split())
    if len(text) > max_length or "\x00" in text:
        message = _("The %(name)s text cannot be used: write at most %(limit)s characters.") % {
            "name": name,
            "limit": max_length,
        }
        raise InvalidParameterError(name, message)
    return text


def cursor_param(request: HttpRequest, name: str) -> int | None:
    """The id a "next/previous page" link carries (ASCII digits), or None when absent."""
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        message = _("This page link cannot be used (%(name)s); go back to the first page of the list.") % {
            "name": name
        }
        raise InvalidParameterError(name, message)
    return int(text)
