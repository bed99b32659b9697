"""Reminder pages: the Kepling's follow-up list, the escalation lists and the effect of reminders."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kepling.accounts.models import Role, User
from kepling.accounts.permissions import may_follow_up, may_view_escalations
from kepling.accounts.scoping import access_wilayah, root_wilayah
from kepling.contributions.as_of import as_of_or_default
from kepling.core import audit
from kepling.core.formatting import format_number
from kepling.core.params import area_code_param, choice_param, page_param
from kepling.dashboards.queries import default_as_of
from kepling.reminders import actions, queries
from kepling.reminders.messages import whatsapp_link
from kepling.reminders.models import Outcome
from kepling.workers.models import Worker
from kepling.workers.queries import access_worker

PAGE_SIZE = 50
ESCALATION_LEVELS = ("lurah", "camat")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome of the contact"), choices=Outcome.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)
    promised_on = forms.DateField(label=gettext_lazy("Promised to pay by"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Outcome.PROMISED and not data.get("promised_on"):
            self.add_error("promised_on", gettext_lazy("Enter the date the worker promised to pay by."))
        return data


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _role(user: User) -> str:
    return Role.ADMIN_KOTA if user.is_superuser else user.role


def _as_of(request: HttpRequest) -> datetime.date:
    return as_of_or_default(request, "tanggal")


@login_required
def follow_up(request: HttpRequest) -> HttpResponse:
    """The Kepling's list; area heads and the city go to their own views."""
    user = _user(request)
    role = _role(user)
    if role in {Role.LURAH, Role.CAMAT}:
        return redirect("reminders:escalations")
    if role != Role.KEPLING:
        if may_view_escalations(user):
            return redirect("reminders:effect")
        raise PermissionDenied
    as_of = _as_of(request)
    return render(request, "reminders/follow_up.html", _list_context(request, user, as_of))


def _list_context(request: HttpRequest, user: User, as_of: datetime.date) -> dict[str, Any]:
    # Today's list (no date chosen) keeps the workers contacted today, marked done, so the
    # Kepling sees their progress; a list for another date shows who is due then.
    todays = as_of == default_as_of()
    work = queries.follow_up_list(user, as_of, keep_contacted_today=todays)
    audit.record_view(actor=user, page=request.path, workers=[row.worker.pk for row in work.rows])
    next_url = reverse("reminders:follow_up") + ("" if todays else f"?tanggal={as_of.isoformat()}")
    return {"work": work, "as_of": as_of, "outcomes": Outcome.choices, "next_url": next_url}


def _back(request: HttpRequest, worker_id: int | None = None) -> HttpResponseRedirect:
    # Back to the worker's own row, so the list does not jump to the top after each save.
    anchor = f"#pekerja-{worker_id}" if worker_id is not None else ""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return HttpResponseRedirect(target.split("#")[0] + anchor)
    return HttpResponseRedirect(reverse("reminders:follow_up") + anchor)


@login_required
@require_POST
def open_whatsapp(request: HttpRequest, worker_id: int) -> HttpResponse:
    """Mark the worker's queued reminder sent and open WhatsApp with the message typed in."""
    user = _user(request)
    if not may_follow_up(user):
        raise PermissionDenied
    worker = access_worker(user, worker_id)
    row = queries.follow_up_row(user, worker, default_as_of())
    if not worker.no_hp or row is None or not row.body:
        messages.error(request, _("This worker has no mobile number to send the message to."))
        return _back(request, worker.pk)
    message = actions.open_whatsapp(by=user, worker=worker)
    body = message.body if message is not None and message.body else row.body
    url = whatsapp_link(worker.no_hp, body)
    return HttpResponseRedirect(url)


@login_required
@require_POST
def record_outcome(request: HttpRequest, worker_id: int) -> HttpResponse:
    """Record the outcome of contacting a worker."""
    user = _user(request)
    if not may_follow_up(user):
        raise PermissionDenied
    worker = access_worker(user, worker_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        problem = form.errors.get("promised_on") or [_("Choose the outcome of the contact.")]
        if request.headers.get("HX-Request"):
            return _saved_row(request, user, worker, error=str(problem[0]))
        messages.error(request, str(problem[0]))
        return _back(request, worker.pk)
    data = form.cleaned_data
    actions.record_contact_outcome(
        by=user, worker=worker, outcome=data["outcome"], note=data["note"], promised_on=data["promised_on"]
    )
    if request.headers.get("HX-Request"):
        return _saved_row(request, user, worker)
    messages.success(request, _("Outcome saved for %(name)s.") % {"name": worker.nama})
    return _back(request, worker.pk)


def _saved_row(request: HttpRequest, user: User, worker: Worker, error: str = "") -> HttpResponse:
    """The worker's row (done once saved) and the day's progress, swapped in place (htmx)."""
    as_of = _as_of_posted(request)
    context = _list_context(request, user, as_of)
    row = next((r for r in context["work"].rows if r.worker.pk == worker.pk), None)
    row = row or queries.follow_up_row(user, worker, as_of)
    if row is None:
        return HttpResponse("")
    return render(request, "reminders/_saved_row.html", {**context, "row": row, "oob": True, "error": error})


def _as_of_posted(request: HttpRequest) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.POST.get("tanggal", ""))
    except ValueError:
        return default_as_of()


@login_required
def escalations(request: HttpRequest) -> HttpResponse:
    """Workers still unpaid after the last reminder: 7 days on for the Lurah, 14 more for the Camat."""
    user = _user(request)
    role = _role(user)
    if not may_view_escalations(user):
        raise PermissionDenied
    level = choice_param(request, "tingkat", ESCALATION_LEVELS, default="camat" if role == Role.CAMAT else "lurah")
    after = queries.CAMAT_AFTER_DAYS if level == "camat" else queries.LURAH_AFTER_DAYS
    as_of = _as_of(request)
    rows = queries.escalations(user, as_of, after)
    page = Paginator(rows, PAGE_SIZE).get_page(page_param(request, "page"))
    audit.record_view(actor=user, page=request.path, workers=[row.worker.pk for row in page])
    context = {
        "page": page,
        "as_of": as_of,
        "level": level,
        "after_days": after,
        "node": root_wilayah(user),
        "outcomes": Outcome.choices,
    }
    return render(request, "reminders/escalations.html", context)


@login_required
def effect(request: HttpRequest) -> HttpResponse:
    """Per rule: reminders sent and the share paid within 7 days."""
    user = _user(request)
    if not may_view_escalations(user):
        raise PermissionDenied
    kode = area_code_param(request, "wilayah")
    node = access_wilayah(user, kode) if kode else root_wilayah(user)
    if node is None:
        raise PermissionDenied
    as_of = _as_of(request)
    context = {"rows": queries.reminder_effect(node, as_of), "node": node, "as_of": as_of}
    return render(request, "reminders/effect.html", context)


@login_required
def failed(request: HttpRequest) -> HttpResponse:
    """Gateway messages that could not be sent, newest first; the Admin kota queues them again."""
    user = _user(request)
    if _role(user) != Role.ADMIN_KOTA:
        raise PermissionDenied
    if request.method == "POST":
        # Only the user's own area's failures can be chosen, whatever ids the form carries.
        chosen = [int(v) for v in request.POST.getlist("message") if v.isdigit()]
        ids = list(queries.failed_messages(user).filter(pk__in=chosen).values_list("pk", flat=True))
        if request.POST.get("all"):
            ids = list(queries.failed_messages(user).values_list("pk", flat=True))
        count = actions.resend_failed(by=user, message_ids=ids)
        messages.success(request, _("Messages queued to be sent again: %(count)s.") % {"count": format_number(count)})
        return redirect("reminders:failed")
    page = Paginator(queries.failed_messages(user), PAGE_SIZE).get_page(page_param(request, "page"))
    rows = [(message, queries.failure_reason(message)) for message in page]
    audit.record_view(actor=user, page=request.path, workers=[message.worker_id for message in page])
    return render(request, "reminders/failed.html", {"page": page, "rows": rows})
