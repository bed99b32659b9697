"""The workers list: filters read strictly, pages read by position ("next/previous page"), never counted.

A page is the rows after (or before) the last (first) row of the page the user came from, in
the list's one stable order (name, then id), read through an index on (area, name, id): a page
costs the same in a lingkungan as in a city of 900,000 workers, however deep the user pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.accounts.scoping import root_wilayah, wilayah_for
from kepling.contributions.status import ARREARS_BEFORE_INACTIVE, STATUS_LABELS, Status, registered_on, with_status
from kepling.core.errors import InvalidParameterError
from kepling.core.exports import ListExport
from kepling.core.params import cursor_param, one_of_param, text_param
from kepling.regions.models import LINGKUNGAN
from kepling.workers.forms import PROTECTED, WITHDRAWN, status_choices
from kepling.workers.models import Worker
from kepling.workers.queries import workers_for

SEARCH_MAX_LENGTH = 100
# "At least N months in arrears", N up to the last month before a worker turns inactive.
ARREARS_CHOICES = [str(n) for n in range(1, ARREARS_BEFORE_INACTIVE + 1)]
ORDER = ("nama", "id")


@dataclass(frozen=True)
class LingkunganOption:
    """A lingkungan the user may choose in the list's select."""

    id: int
    kode: str
    nama: str


@dataclass(frozen=True)
class WorkerFilters:
    """What the list is narrowed to; empty values filter nothing."""

    q: str = ""
    status: str = ""
    lingkungan: LingkunganOption | None = None
    arrears_from: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.q or self.status or self.lingkungan or self.arrears_from)


def lingkungan_options(user: User) -> list[LingkunganOption]:
    """The lingkungan the user sees, for the list's select (a Kepling sees one); plain values, read fast."""
    rows = wilayah_for(user).filter(level=LINGKUNGAN).order_by("kode").values_list("id", "kode", "nama")
    return [LingkunganOption(*row) for row in rows]


def lingkungan_select_options(options: Sequence[LingkunganOption], chosen: LingkunganOption | None) -> SafeString:
    """The select's options, written directly: a city's 2,001 through form widgets would take seconds."""
    return mark_safe(  # noqa: S308 - every value is escaped here
        "".join(
            f'<option value="{escape(o.kode)}"{" selected" if o == chosen else ""}>{escape(o.nama)} · {escape(o.kode)}'
            "</option>"
            for o in options
        )
    )


def read_filters(request: HttpRequest, options: Sequence[LingkunganOption]) -> WorkerFilters:
    """The list's filters from the query string; a value the page does not offer is a 400."""
    by_code = {o.kode: o for o in options}
    code = one_of_param(request, "lingkungan", by_code)
    arrears = one_of_param(request, "menunggak", ARREARS_CHOICES)
    return WorkerFilters(
        q=text_param(request, "q", SEARCH_MAX_LENGTH),
        status=one_of_param(request, "status", {value for value, _label in status_choices() if value}),
        lingkungan=by_code[code] if code else None,
        arrears_from=int(arrears) if arrears else None,
    )


def filtered_workers(user: User, filters: WorkerFilters, as_of: datetime.date) -> QuerySet[Worker]:
    """The user's registered workers (today) with their status as of `as_of`, narrowed by the filters.

    Withdrawn workers are listed only when asked for (`status=withdrawn`), so the list and the
    home's "registered" count the same workers. Months in arrears are `with_status`'s, the
    definition every figure uses.
    """
    today = timezone.localdate()
    scoped = workers_for(user).select_related("lingkungan")
    on_register = Q(withdrawn_on__lte=today) if filters.status == WITHDRAWN else registered_on(today)
    scoped = scoped.filter(on_register)
    if filters.lingkungan is not None:
        scoped = scoped.filter(lingkungan_id=filters.lingkungan.id)
    if filters.q:
        scoped = scoped.filter(nama__icontains=filters.q)
    workers = with_status(scoped, as_of)
    if filters.status == PROTECTED:
        workers = workers.exclude(Q(status=Status.NEVER_PAID.value))
    elif filters.status and filters.status != WITHDRAWN:
        workers = workers.filter(Q(status=filters.status))
    if filters.arrears_from:
        workers = workers.filter(Q(arrears_months__gte=filters.arrears_from))
    return workers.order_by(*ORDER)


def counted_here(user: User, filters: WorkerFilters) -> bool:
    """Whether the list lies within one lingkungan, where counting it costs a few dozen rows."""
    root = root_wilayah(user)
    return filters.lingkungan is not None or (root is not None and root.level == LINGKUNGAN)


@dataclass
class WorkerPage:
    """One page of the list and the ids its "previous" and "next" links start from."""

    workers: list[Worker]
    has_previous: bool
    has_next: bool

    @property
    def previous_from(self) -> int | None:
        return self.workers[0].pk if self.workers and self.has_previous else None

    @property
    def next_from(self) -> int | None:
        return self.workers[-1].pk if self.workers and self.has_next else None


def _cursor_name(user: User, worker_id: int, parameter: str) -> str:
    """The name of the row a page link starts from, read within the user's area only."""
    name = workers_for(user).filter(pk=worker_id).values_list("nama", flat=True).first()
    if name is None:
        message = _("This page link no longer fits the list; go back to the first page of the list.")
        raise InvalidParameterError(parameter, message)
    return name


def after(name: str, worker_id: int) -> Q:
    # `nama >= name` bounds the index range; the OR only sorts out the rows sharing that name.
    return Q(nama__gte=name) & (Q(nama__gt=name) | Q(pk__gt=worker_id))


def before(name: str, worker_id: int) -> Q:
    return Q(nama__lte=name) & (Q(nama__lt=name) | Q(pk__lt=worker_id))


def read_page(request: HttpRequest, user: User, workers: QuerySet[Worker], size: int) -> WorkerPage:
    """The page the request's `setelah` (after) or `sebelum` (before) link asks for; the first without."""
    after_id, before_id = cursor_param(request, "setelah"), cursor_param(request, "sebelum")
    if before_id is not None:
        backwards = workers.filter(before(_cursor_name(user, before_id, "sebelum"), before_id))
        rows = list(backwards.order_by("-nama", "-id")[: size + 1])
        return WorkerPage(rows[:size][::-1], has_previous=len(rows) > size, has_next=True)
    if after_id is not None:
        workers = workers.filter(after(_cursor_name(user, after_id, "setelah"), after_id))
    rows = list(workers[: size + 1])
    return WorkerPage(rows[:size], has_previous=after_id is not None, has_next=len(rows) > size)


def worker_list_export(workers: QuerySet[Worker], scope: str) -> ListExport:
    """Every row of the filtered list, in the screen's order, as the screen shows it (NIK masked)."""
    headers = [
        _("Name"), _("NIK"), _("Status"), _("Paid months"), _("Months overdue"), _("Lingkungan code"),
        _("Lingkungan"), _("Registered"),
    ]
    return ListExport("pekerja", [str(h) for h in headers], _rows_of(workers), scope=scope)


def _rows_of(workers: QuerySet[Worker]) -> Iterator[list[Any]]:
    for w in workers.iterator(chunk_size=2000):
        status = str(STATUS_LABELS[Status(getattr(w, "status"))])  # noqa: B009 - an annotation
        yield [w.nama, w.nik_masked, status, getattr(w, "paid_months"), getattr(w, "arrears_months"),  # noqa: B009
               w.lingkungan.kode, w.lingkungan.nama, w.tanggal_daftar]
