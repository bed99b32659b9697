"""Query parameters read strictly: a value a page cannot use is a 400 with the reason, never a default.

Every page reads its query string through these readers; a bad value raises
`InvalidParameterError`, which `core.middleware.InvalidParameterMiddleware` turns into the 400
page (under `/api/`, the API's JSON error shape). An absent or empty parameter means the page's
default: forms submit empty fields, and links drop what they do not set.

- `choice_param(request, "tab", ["kecamatan", "kelurahan"], default="kecamatan")`: one of a
  fixed set of words (tabs, levels, statuses, queue kinds, download formats).
- `sort_param(request, ["nama", "target"], default="kode")`: `urut=col` or `urut=-col`
  (descending) -> `(col, descending)`.
- `page_param(request, "hal")`: a page number, 1 to `MAX_PAGE` (digits of any script); pass it to `Paginator.get_page`,
  which shows the last page for a number past the end.
- `area_code_param(request, "wilayah")`: a well-formed area code (digits of any script made
  ASCII) or ""; the view then asks `accounts.scoping.access_wilayah`, whose 404 is the same for an
  unknown code and one outside the user's area.
- `date_param(request, "tanggal", default)`: an ISO date from the program's start to today.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection, Iterable

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.core.errors import InvalidParameterError
from kepling.core.formatting import format_date
from kepling.core.identifiers import ascii_digits, ascii_identifier

# Far more pages than any list has (a city of 50,000 workers is 1,000 pages of 50); a larger
# number can only be typed, and would otherwise become a huge OFFSET.
MAX_PAGE = 100_000
# A Kemendagri-style code: groups of digits joined by dots (12.71.01.1001.03), of any depth.
AREA_CODE = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,6}){0,7}")
AREA_CODE_MAX_LENGTH = 40
SHOWN_VALUE_LENGTH = 40


def _text(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "").strip()


def _refuse(name: str, text: str, expected: str) -> InvalidParameterError:
    message = _("“%(value)s” cannot be used as %(name)s: %(expected)s") % {
        "value": text[:SHOWN_VALUE_LENGTH],
        "name": name,
        "expected": expected,
    }
    return InvalidParameterError(name, message)


def choice_param(request: HttpRequest, name: str, choices: Iterable[str], default: str = "") -> str:
    """One of `choices`, or `default` when the parameter is absent or empty; anything else is refused."""
    text = _text(request, name)
    if not text:
        return default
    if text not in {str(choice) for choice in choices}:
        raise _refuse(name, text, _("choose one of the values the page offers in its links and menus."))
    return text


def sort_param(
    request: HttpRequest, columns: Iterable[str], default: str, name: str = "urut"
) -> tuple[str, bool]:
    """(column, descending) from `col` or `-col`; the default (itself `col` or `-col`) when absent."""
    text = _text(request, name) or default
    column = text.removeprefix("-")
    if column not in {str(c) for c in columns}:
        raise _refuse(name, text, _("sort by a column the table offers (click its heading)."))
    return column, text.startswith("-")


def page_param(request: HttpRequest, name: str = "hal") -> int:
    """A page number from 1 to MAX_PAGE (1 when absent); a page past the end is for the paginator to clamp."""
    text = ascii_digits(_text(request, name))
    if not text:
        return 1
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_PAGE)) and 1 <= int(text) <= MAX_PAGE):
        raise _refuse(name, text, _("give a page number, a whole number from 1."))
    return int(text)


def is_area_code(text: str) -> bool:
    """Whether `text` (ASCII) is shaped like an area code: digit groups joined by dots."""
    return len(text) <= AREA_CODE_MAX_LENGTH and AREA_CODE.fullmatch(text) is not None


def area_code_param(request: HttpRequest, name: str = "wilayah") -> str:
    """A well-formed area code in ASCII digits, or "" when absent; whether it exists is for the view to ask."""
    text = _text(request, name)
    if not text:
        return ""
    code = ascii_identifier(text)
    if not is_area_code(code):
        raise _refuse(name, text, _("give an area code such as 12.71.01.1001.03."))
    return code


def date_param(request: HttpRequest, name: str, default: Callable[[], datetime.date]) -> datetime.date:
    """An ISO date between the program's start and today, or the default when absent."""
    text = _text(request, name)
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
