"""Reminder pages: the Kepling's follow-up list, the escalation lists and the effect of reminders."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kepling.accounts.models import Role, User
from kepling.accounts.permissions import may_follow_up, may_view_escalations
from kepling.accounts.scoping import access_wilayah, root_wilayah
from kepling.core import audit
from kepling.core.params import date_param
from kepling.dashboards.queries import default_as_of
from kepling.reminders import actions, queries
from kepling.reminders.messages import whatsapp_link
from kepling.reminders.models import Outcome
from kepling.workers.queries import access_worker

PAGE_SIZE = 50


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome of the contact"), choices=Outcome.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _role(user: User) -> str:
    return Role.ADMIN_KOTA if user.is_superuser else user.role


def _as_of(request: HttpRequest) -> datetime.date:
    return date_param(request, "tanggal", default_as_of)


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
    rows = queries.follow_up_rows(user, as_of)
    audit.record_view(actor=user, page=request.path, workers=[row.worker.pk for row in rows])
    context = {"rows": rows, "as_of": as_of, "form": OutcomeForm(), "outcomes": Outcome.choices}
    return render(request, "reminders/follow_up.html", context)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect("reminders:follow_up")


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
        return _back(request)
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
        messages.error(request, _("Choose the outcome of the contact."))
        return _back(request)
    actions.record_contact_outcome(
        by=user, worker=worker, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
    )
    messages.success(request, _("Outcome saved for %(name)s.") % {"name": worker.nama})
    return _back(request)


@login_required
def escalations(request: HttpRequest) -> HttpResponse:
    """Workers still unpaid after the last reminder: 7 days on for the Lurah, 14 more for the Camat."""
    user = _user(request)
    role = _role(user)
    if not may_view_escalations(user):
        raise PermissionDenied
    level = request.GET.get("tingkat") or ("camat" if role == Role.CAMAT else "lurah")
    after = queries.CAMAT_AFTER_DAYS if level == "camat" else queries.LURAH_AFTER_DAYS
    as_of = _as_of(request)
    rows = queries.escalations(user, as_of, after)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
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
    kode = request.GET.get("wilayah", "")
    node = access_wilayah(user, kode) if kode else root_wilayah(user)
    if node is None:
        raise PermissionDenied
    as_of = _as_of(request)
    context = {"rows": queries.reminder_effect(node, as_of), "node": node, "as_of": as_of}
    return render(request, "reminders/effect.html", context)
