"""Correcting a worker on a phone: one page, one small form per kind of change, each one action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kepling.accounts.models import User
from kepling.accounts.permissions import may_correct_worker, may_move_worker
from kepling.core import audit
from kepling.workers.actions import move_worker, reinstate_worker, update_worker, withdraw_worker
from kepling.workers.corrections import BasisForm, ContactForm, MoveForm, WithdrawForm
from kepling.workers.forms import add_problems, column_labels
from kepling.workers.models import Worker
from kepling.workers.queries import access_worker
from kepling.workers.validation import InvalidWorkerDataError
from kepling.workers.wording import humanise


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _page(request: HttpRequest, worker: Worker, bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    """The correction page with the forms the user may use; a form that failed is shown bound."""
    user = _user(request)
    bound = bound or {}
    context: dict[str, Any] = {"worker": worker}
    if may_correct_worker(user, worker):
        context["contact_form"] = bound.get("contact") or ContactForm.for_worker(worker)
        context["basis_form"] = bound.get("basis") or BasisForm.for_worker(worker)
    if may_correct_worker(user, worker):
        context["withdraw_form"] = bound.get("withdraw") or WithdrawForm(prefix="keluar")
    if may_move_worker(user, worker):
        context["move_form"] = bound.get("move") or MoveForm(prefix="pindah", user=user)
    if len(context) == 1:
        raise PermissionDenied(_("Your role may not change this worker."))
    # The forms show the worker's name, phone and income: a read of personal data.
    audit.record_view(actor=user, page=request.path, workers=[worker.pk])
    return render(request, "workers/correct.html", context, status=400 if bound else 200)


def _worker(request: HttpRequest, worker_id: int, allowed: Any) -> Worker:
    worker = access_worker(_user(request), worker_id)
    if not allowed(_user(request), worker):
        raise PermissionDenied(_("Your role may not change this worker."))
    return worker


@never_cache
@login_required
def correct(request: HttpRequest, worker_id: int) -> HttpResponse:
    """The worker's correction page."""
    return _page(request, access_worker(_user(request), worker_id))


@never_cache
@require_POST
@login_required
def correct_contact(request: HttpRequest, worker_id: int) -> HttpResponse:
    """Save a corrected name or mobile number."""
    worker = _worker(request, worker_id, may_correct_worker)
    form = ContactForm.for_worker(worker, request.POST)
    return _update(request, worker, form, "contact")


@never_cache
@require_POST
@login_required
def correct_basis(request: HttpRequest, worker_id: int) -> HttpResponse:
    """Save a corrected income, program, sector or payer, with its reason."""
    worker = _worker(request, worker_id, may_correct_worker)
    form = BasisForm.for_worker(worker, request.POST)
    return _update(request, worker, form, "basis")


def _update(request: HttpRequest, worker: Worker, form: forms.Form, key: str) -> HttpResponse:
    """One `update_worker` with the form's fields; the reason (`alasan`) goes to the audit row."""
    if not form.is_valid():
        return _page(request, worker, {key: form})
    changes = {name: value for name, value in form.cleaned_data.items() if name != "alasan"}
    reason = str(form.cleaned_data.get("alasan", ""))
    try:
        warnings = update_worker(by=_user(request), worker=worker, changes=changes, reason=reason)
    except InvalidWorkerDataError as error:
        add_problems(form, error.errors)
        return _page(request, worker, {key: form})
    messages.success(request, _("The correction is saved and recorded in the audit log."))
    labels = column_labels(form)
    for _column, warning in warnings:
        messages.warning(request, humanise(str(warning), labels))
    return redirect("workers:detail", worker_id=worker.pk)


@never_cache
@require_POST
@login_required
def withdraw(request: HttpRequest, worker_id: int) -> HttpResponse:
    """Take the worker off the registry, with the reason."""
    worker = _worker(request, worker_id, may_correct_worker)
    form = WithdrawForm(request.POST, prefix="keluar")
    if not form.is_valid():
        return _page(request, worker, {"withdraw": form})
    withdraw_worker(by=_user(request), worker=worker, reason=form.reason())
    messages.success(request, _("%(name)s is withdrawn from the registry.") % {"name": worker.nama})
    return redirect("workers:detail", worker_id=worker.pk)


@never_cache
@require_POST
@login_required
def reinstate(request: HttpRequest, worker_id: int) -> HttpResponse:
    """Bring a withdrawn worker back."""
    worker = _worker(request, worker_id, may_correct_worker)
    reinstate_worker(by=_user(request), worker=worker)
    messages.success(request, _("%(name)s is back in the registry.") % {"name": worker.nama})
    return redirect("workers:detail", worker_id=worker.pk)


@never_cache
@require_POST
@login_required
def move(request: HttpRequest, worker_id: int) -> HttpResponse:
    """Move the worker to another lingkungan of the user's area."""
    user = _user(request)
    worker = _worker(request, worker_id, may_move_worker)
    form = MoveForm(request.POST, prefix="pindah", user=user)
    if not form.is_valid():
        return _page(request, worker, {"move": form})
    try:
        move_worker(by=user, worker=worker, lingkungan=form.cleaned_data["lingkungan"])
    except InvalidWorkerDataError as error:
        add_problems(form, error.errors)
        return _page(request, worker, {"move": form})
    place = worker.lingkungan.nama
    messages.success(request, _("%(name)s now belongs to %(place)s.") % {"name": worker.nama, "place": place})
    return redirect("workers:detail", worker_id=worker.pk)
