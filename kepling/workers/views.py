"""The Kepling's phone workflow: home with "x of 25", registering a worker, their workers, one worker."""

from __future__ import annotations

import datetime
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kepling.accounts.models import Role, User
from kepling.accounts.permissions import (
    may_check_nik,
    may_correct_worker,
    may_move_worker,
    may_register,
    may_reveal_nik,
)
from kepling.accounts.scoping import root_wilayah
from kepling.contributions.status import (
    STATUS_LABELS,
    Status,
    WorkerStanding,
    standing,
)
from kepling.contributions.summaries import percent
from kepling.contributions.tariffs import amount_due
from kepling.core import audit
from kepling.core.crypto import lookup_hash, mask_nik
from kepling.core.exports import export_response, wanted_format
from kepling.core.formatting import format_date, format_month, format_number, format_rupiah
from kepling.core.periods import add_months, due_date, last_due_month_before, month_start
from kepling.dashboards.queries import default_as_of, lingkungan_summary_row
from kepling.regions.models import LINGKUNGAN, Wilayah
from kepling.reminders.messages import cara_bayar, manfaat, pay_number
from kepling.reminders.models import PaymentChannel
from kepling.reminders.queries import follow_up_list, next_due_month
from kepling.workers.actions import RegistrationOutcome, consent_error, register_worker_once
from kepling.workers.forms import (
    RegistrationForm,
    WorkerFilterForm,
    column_labels,
    parse_rupiah,
)
from kepling.workers.listing import (
    WorkerFilters,
    counted_here,
    filtered_workers,
    lingkungan_options,
    lingkungan_select_options,
    read_filters,
    read_page,
    worker_list_export,
)
from kepling.workers.models import Gender, Payer, Program, Sector, Worker
from kepling.workers.queries import access_worker, find_by_nik, reveal_nik
from kepling.workers.references import References
from kepling.workers.validation import check_nik, check_worker
from kepling.workers.wording import humanise, indonesian_dates

WORKERS_PER_PAGE = 25
FOLLOW_UP_URL = "/pengingat/"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# Progress of one lingkungan --------------------------------------------------------------------


@dataclass(frozen=True)
class LingkunganProgress:
    """A lingkungan's "x of 25" and what to do today, each count the size of the list it links to."""

    lingkungan: Wilayah
    as_of: datetime.date
    protected: int
    target: int
    registered: int
    never_paid: int
    in_arrears: int
    inactive: int
    to_follow_up: int
    contacted_today: int
    due_month: datetime.date

    @property
    def progress_pct(self) -> float:
        return percent(self.protected, self.target) or 0.0

    @property
    def bar_pct(self) -> float:
        return min(100.0, self.progress_pct)

    @property
    def remaining(self) -> int:
        return max(0, self.target - self.protected)

    @property
    def due_date(self) -> datetime.date:
        return due_date(self.due_month)


def lingkungan_progress(user: User, lingkungan: Wilayah) -> LingkunganProgress:
    """Counted from the very lists the home links to (workers list, follow-up list), for the same date.

    One lingkungan holds a few dozen workers, so counting them live costs less than a stale figure
    that contradicts the list one tap away.
    """
    as_of = default_as_of()
    statuses = Counter(
        str(getattr(w, "status"))  # noqa: B009 - an annotation
        for w in filtered_workers(user, WorkerFilters(), as_of).filter(lingkungan=lingkungan)
    )
    work = follow_up_list(user, as_of)
    row = lingkungan_summary_row(lingkungan, as_of)
    target = row.target if row is not None else int(lingkungan.target or settings.DEFAULT_LINGKUNGAN_TARGET)
    return LingkunganProgress(
        lingkungan=lingkungan,
        as_of=as_of,
        protected=sum(n for status, n in statuses.items() if status != Status.NEVER_PAID),
        target=target,
        registered=sum(statuses.values()),
        never_paid=statuses[Status.NEVER_PAID],
        in_arrears=statuses[Status.IN_ARREARS],
        inactive=statuses[Status.INACTIVE],
        to_follow_up=work.total,
        contacted_today=work.contacted_today,
        due_month=add_months(last_due_month_before(as_of), 1),
    )


@login_required
def kepling_home(request: HttpRequest) -> HttpResponse:
    """The Kepling's home: x of 25, what to do today, and the big register button."""
    user = _user(request)
    if user.role != Role.KEPLING:
        return redirect("home")
    lingkungan = user.wilayah if user.wilayah is not None and user.wilayah.level == LINGKUNGAN else None
    progress = lingkungan_progress(user, lingkungan) if lingkungan is not None else None
    context = {"progress": progress, "follow_up_url": FOLLOW_UP_URL}
    return render(request, "workers/kepling_home.html", context)


# Registration ----------------------------------------------------------------------------------


def contribution_preview(values: dict[str, Any]) -> dict[str, Any] | None:
    """The monthly contribution for the typed program and income, in the registration month."""
    income = parse_rupiah(str(values.get("penghasilan") or ""))
    program = str(values.get("program") or Program.BASIC)
    if income is None or program not in Program.values:
        return None
    try:
        day = datetime.date.fromisoformat(str(values.get("tanggal_daftar") or ""))
    except ValueError:
        day = timezone.localdate()
    month = month_start(day)
    due = amount_due(
        month=month,
        program=program,
        sektor=str(values.get("sektor") or Sector.OTHER),
        sumber_iuran=str(values.get("sumber_iuran") or Payer.SELF),
        penghasilan=income,
    )
    return {"amount": due, "text": format_rupiah(due), "month": format_month(month), "income": format_rupiah(income)}


def _render_form(request: HttpRequest, form: RegistrationForm, preview: dict[str, Any] | None) -> HttpResponse:
    user = _user(request)
    lingkungan = user.wilayah if not form.chooses_lingkungan else None
    context = {
        "form": form,
        "preview": preview,
        "lingkungan": lingkungan,
        "consent_version": settings.CONSENT_TEXT_VERSION,
        "consent_template": f"workers/consent/{settings.CONSENT_TEXT_VERSION}.html",
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "workers/register.html", context, status=status)


@never_cache
@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register one worker: NIK first, consent read out, then the same action as imports and the API."""
    response = _register(request)
    if request.headers.get("X-Kepling-Background") and response.status_code == 302:
        # Sent in the background by the form's script: it goes to the page itself, so the
        # page's messages are shown there and not spent on a request nobody sees.
        answer = HttpResponse(status=204)
        answer["X-Kepling-Location"] = response["Location"]
        return answer
    return response


def _register(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_register(user):
        raise PermissionDenied(_("Your role may not register workers."))
    if request.method != "POST":
        form = RegistrationForm(user=user)
        return _render_form(request, form, contribution_preview({"penghasilan": "1000000"}))
    if "hitung" in request.POST:
        # "Calculate the contribution" without JavaScript: show the amount, save nothing, no errors yet.
        form = RegistrationForm(user=user, initial=request.POST.dict())
        return _render_form(request, form, contribution_preview(request.POST.dict()))
    form = RegistrationForm(request.POST, user=user)
    preview = contribution_preview(request.POST.dict())
    form_ok = form.is_valid()
    data = form.worker_input()
    if not form_ok:
        # Report every problem at once: the registry's checks run on what could be read.
        form.add_problems(check_worker(data, References(user)).errors)
        return _render_form(request, form, preview)
    outcome = register_worker_once(
        by=user, key=form.cleaned_data["kunci"], data=data, consent_given=form.cleaned_data["consent"]
    )
    if outcome.status == "rejected":
        form.add_problems(outcome.errors or [consent_error()])
        return _render_form(request, form, preview)
    return _after_registration(request, user, outcome)


def _after_registration(request: HttpRequest, user: User, outcome: RegistrationOutcome) -> HttpResponse:
    worker = outcome.worker
    assert worker is not None
    if outcome.status == "conflict":
        # Never say whose worker it is: the Lurah sees the conflict with its details.
        messages.warning(
            request,
            _(
                "This NIK is already registered under another Kepling; the first registration keeps "
                "the credit until the Lurah decides the attribution conflict."
            ),
        )
        if outcome.conflict_opened:
            messages.info(request, _("The Lurah has been asked to decide who registered this worker."))
        return redirect("workers:register")
    if outcome.status == "already_present":
        messages.info(request, _("This NIK is already registered in this lingkungan; nothing was changed."))
        return redirect("workers:detail", worker_id=worker.pk)
    progress = lingkungan_progress(user, worker.lingkungan)
    messages.success(
        request,
        _(
            "%(name)s is registered. %(lingkungan)s: %(protected)s of %(target)s protected, "
            "%(registered)s registered. A worker counts as protected once the first contribution is paid."
        )
        % {
            "name": worker.nama,
            "lingkungan": worker.lingkungan.nama,
            "protected": format_number(progress.protected),
            "target": format_number(progress.target),
            "registered": format_number(progress.registered),
        },
    )
    labels = column_labels(RegistrationForm(user=user))
    for _column, warning in outcome.warnings:
        messages.warning(request, humanise(str(warning), labels))
    return redirect("workers:detail", worker_id=worker.pk)


def nik_is_registered(nik: str) -> bool:
    """Whether any worker in the city holds this NIK; a yes/no only, no row leaves this function."""
    return Worker.objects.filter(nik_hash=lookup_hash(nik)).exists()


def nik_check_allowed(user: User) -> bool:
    """Count this check against the user's hourly allowance; False once it is spent."""
    key = f"nik-checks:{user.pk}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        # The entry expired between add and incr: this is the first check of the hour.
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= int(settings.NIK_CHECKS_PER_HOUR)


def _birth_date_from(facts_day: int, facts_month: int, year2: int) -> datetime.date | None:
    this_year = timezone.localdate().year
    year = 2000 + year2 if 2000 + year2 <= this_year - int(settings.WORKER_MIN_AGE) else 1900 + year2
    try:
        return datetime.date(year, facts_month, facts_day)
    except ValueError:
        return None


@never_cache
@require_POST
@login_required
def check_nik_json(request: HttpRequest) -> JsonResponse:
    """Check a NIK as it is typed: its structure, and whether it is already registered (never whose)."""
    user = _user(request)
    if not may_check_nik(user):
        return JsonResponse({"status": "forbidden", "message": _("Your role may not register workers.")}, status=403)
    if not nik_check_allowed(user):
        message = _("Too many NIK checks in the last hour; try again later or register the worker directly.")
        return JsonResponse({"status": "rate_limited", "message": message}, status=429)
    nik, facts, errors, warnings = check_nik(request.POST.get("nik", ""))
    if errors or nik is None or facts is None:
        return JsonResponse({"status": "invalid", "message": indonesian_dates(errors[0][1]) if errors else ""})
    mine = find_by_nik(user, nik)
    elsewhere = mine is None and nik_is_registered(nik)
    outcome = "registered_here" if mine is not None else "registered_elsewhere" if elsewhere else "new"
    audit.record(
        actor=user, action="nik_checked", object_type="nik", new={"nik_masked": mask_nik(nik), "result": outcome}
    )
    if mine is not None:
        return JsonResponse(
            {
                "status": "registered_here",
                "message": _("This NIK is already registered in your area."),
                "url": reverse("workers:detail", kwargs={"worker_id": mine.pk}),
            }
        )
    if elsewhere:
        message = _(
            "This NIK is already registered by another Kepling. If you register it, the Lurah "
            "decides who gets the credit."
        )
        return JsonResponse({"status": "registered_elsewhere", "message": message})
    born = _birth_date_from(facts.day, facts.month, facts.year2)
    labels = column_labels(RegistrationForm(user=user))
    payload: dict[str, Any] = {
        "status": "new",
        "message": _("NIK is valid and not registered yet."),
        "warnings": [humanise(str(message), labels) for _column, message in warnings],
        "jenis_kelamin": facts.sex,
        "tanggal_lahir": born.isoformat() if born else "",
    }
    if born is not None:
        sex = Gender(facts.sex).label
        payload["message"] = _("NIK is valid and not registered yet (born %(date)s, %(sex)s).") % {
            "date": format_date(born),
            "sex": str(sex).lower(),
        }
    return JsonResponse(payload)


@require_GET
@login_required
def contribution_json(request: HttpRequest) -> JsonResponse:
    """The monthly contribution for a program and income (no personal data), for the form."""
    preview = contribution_preview(request.GET.dict())
    if preview is None:
        return JsonResponse({"amount": None, "text": ""})
    return JsonResponse(preview)


# Workers list and detail -----------------------------------------------------------------------


@login_required
def worker_list(request: HttpRequest) -> HttpResponse:
    """The user's workers (their area only) with status, filters and "next/previous page" links."""
    user = _user(request)
    if root_wilayah(user) is None:
        raise PermissionDenied(_("Your account has no area."))
    as_of = default_as_of()
    options = lingkungan_options(user)
    filters = read_filters(request, options)
    workers = filtered_workers(user, filters, as_of)
    fmt = wanted_format(request)
    if fmt is not None:
        root = root_wilayah(user)
        scope = filters.lingkungan.kode if filters.lingkungan else root.kode if root else ""
        return export_response(user, worker_list_export(workers, scope), fmt)
    page = read_page(request, user, workers, WORKERS_PER_PAGE)
    audit.record_view(actor=user, page=request.path, workers=[w.pk for w in page.workers])
    form = WorkerFilterForm(request.GET or None)
    context = {
        "form": form,
        "page": page,
        "worker_total": workers.count() if counted_here(user, filters) else None,
        "filtered": filters.any,
        "as_of": as_of,
        "status_labels": {str(k): v for k, v in STATUS_LABELS.items()},
        "show_lingkungan": user.role != Role.KEPLING,
        "chooses_lingkungan": len(options) > 1,
        "lingkungan_options": lingkungan_select_options(options, filters.lingkungan) if len(options) > 1 else "",
        "may_register": may_register(user),
        "previous_query": _page_query(request, "sebelum", page.previous_from),
        "next_query": _page_query(request, "setelah", page.next_from),
        "download_query": _page_query(request, "unduh", None),
    }
    return render(request, "workers/list.html", context)


def _page_query(request: HttpRequest, key: str, value: int | None) -> str:
    """The list's query string with its filters, starting from another row (or none)."""
    query = request.GET.copy()
    for name in ("setelah", "sebelum", "hal", "unduh"):
        query.pop(name, None)
    if value is not None:
        query[key] = str(value)  # an id as ASCII digits, never a localised number
    return query.urlencode()


def month_to_pay(worker: Worker, position: WorkerStanding) -> datetime.date:
    """The month the worker should pay now, as the reminders say it: the overdue month when behind,
    else the next month due; never a month before the worker was registered."""
    as_of = position.as_of
    behind = position.status in {Status.IN_ARREARS, Status.INACTIVE}
    month = last_due_month_before(as_of) if behind else next_due_month(as_of)
    return max(month, next_due_month(worker.tanggal_daftar))


def _detail_context(user: User, worker: Worker) -> dict[str, Any]:
    as_of = default_as_of()
    position = standing(worker, as_of)
    this_month = month_to_pay(worker, position)
    due = amount_due(
        month=this_month,
        program=worker.program,
        sektor=worker.sektor,
        sumber_iuran=worker.sumber_iuran,
        penghasilan=worker.penghasilan,
    )
    return {
        "worker": worker,
        "as_of": as_of,
        "standing": position,
        "status_label": STATUS_LABELS[position.status],
        "this_month": this_month,
        "this_month_due": due,
        "this_month_due_date": due_date(this_month),
        "payments": worker.payments.order_by("-periode", "-tanggal_bayar")[:60],
        "may_reveal": may_reveal_nik(user, worker),
        "full_nik": None,
        "may_correct": any(rule(user, worker) for rule in (may_correct_worker, may_move_worker)),
        "pay_number": pay_number(worker),
        "channels": list(PaymentChannel.objects.filter(active=True)),
        "channels_text": cara_bayar(),
        "benefit": manfaat(),
        "contacts": worker.contact_outcomes.select_related("by").order_by("-at", "-id")[:20],
    }


def _audited_detail(request: HttpRequest, worker_id: int, *, reveal: bool) -> HttpResponse:
    user = _user(request)
    worker = access_worker(user, worker_id)
    audit.record(actor=user, action="worker_viewed", object_type="worker", object_id=worker.pk)
    context = _detail_context(user, worker)
    if reveal:
        if not context["may_reveal"]:
            raise PermissionDenied(_("The full NIK is shown only to the worker's Kepling and the city administrator."))
        context["full_nik"] = reveal_nik(user, worker)
    return render(request, "workers/detail.html", context)


@never_cache
@login_required
def worker_detail(request: HttpRequest, worker_id: int) -> HttpResponse:
    """One worker: identity (NIK masked), status, paid months, payments, consent and credit."""
    return _audited_detail(request, worker_id, reveal=False)


@never_cache
@require_POST
@login_required
def worker_reveal_nik(request: HttpRequest, worker_id: int) -> HttpResponse:
    """The same page with the full NIK, for those who need it; audited, never in a URL."""
    return _audited_detail(request, worker_id, reveal=True)
