"""Reconciliation pages: the queues with their counts, and one item with its decisions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kepling.accounts.models import User
from kepling.core import audit
from kepling.reconciliation import actions
from kepling.reconciliation.models import ItemKind, ItemStatus
from kepling.reconciliation.queries import access_item, items_for, may_resolve, may_view, queue_counts
from kepling.workers.models import Worker
from kepling.workers.queries import find_by_nik

PAGE_SIZE = 50


class LinkForm(forms.Form):
    nik = forms.CharField(
        label=gettext_lazy("NIK of the worker"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Leave empty to use the suggested worker."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason or note"), max_length=1000, widget=forms.Textarea({"rows": 2}))


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_view(user):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", ItemStatus.OPEN)
    items = items_for(user).filter(status=status if status in ItemStatus.values else ItemStatus.OPEN)
    if kind in ItemKind.values:
        items = items.filter(kind=kind)
    page = Paginator(items.order_by("kind", "-opened_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queue_counts(user)
    audit.record_view(actor=user, page=request.path, workers=[i.worker_id for i in page if i.worker_id])
    return render(
        request,
        "reconciliation/queue.html",
        {
            "queues": [(k, counts[k.value]) for k in ItemKind],
            "total": counts["total"],
            "page": page,
            "kind": kind,
            "status": status,
            "statuses": ItemStatus.choices,
        },
    )


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = access_item(user, item_id)
    audit.record_view(actor=user, page=request.path, workers=[item.worker_id] if item.worker_id else [])
    return render(
        request,
        "reconciliation/item.html",
        {
            "item": item,
            "can_resolve": may_resolve(user) and item.status == ItemStatus.OPEN,
            "link_form": LinkForm(),
            "note_form": NoteForm(),
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, item_id: int, decision: str) -> HttpResponse:
    user = _user(request)
    item = access_item(user, item_id)
    if not may_resolve(user):
        raise PermissionDenied
    if decision not in {"link", "dismiss", "correct"}:
        raise Http404("decision")
    try:
        if decision == "link":
            link = LinkForm(request.POST)
            link.is_valid()
            worker = _link_target(user, link.cleaned_data.get("nik", ""), item.worker)
            actions.link_payment(by=user, item=item, worker=worker, note=link.cleaned_data.get("note", ""))
            messages.success(request, _("The payment now counts for the worker."))
        else:
            note = request.POST.get("note", "")
            if decision == "dismiss":
                actions.dismiss_item(by=user, item=item, reason=note)
            else:
                actions.mark_corrected(by=user, item=item, note=note)
            messages.success(request, _("Decision recorded."))
    except actions.DecisionError as exc:
        messages.error(request, str(exc))
    return redirect("reconciliation:item", item_id=item.pk)


def _link_target(user: User, nik: str, candidate: Worker | None) -> Worker:
    if nik.strip():
        found = find_by_nik(user, nik)
        if found is None:
            raise actions.DecisionError(_("No worker in your area has this NIK."))
        return found
    if candidate is None:
        raise actions.DecisionError(_("There is no suggested worker: enter the worker's NIK."))
    return candidate
