"""Reconciliation pages: the queues with their counts, and one item with its decisions."""

from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kepling.accounts.models import User
from kepling.core import audit
from kepling.core.exports import ListExport, export_response, wanted_format
from kepling.core.params import area_code_param, choice_param, page_param
from kepling.reconciliation import actions
from kepling.reconciliation.candidates import candidates_for
from kepling.reconciliation.models import ItemKind, ItemStatus, ReconciliationItem
from kepling.reconciliation.queries import access_item, items_for, items_in_area, may_resolve, may_view, queue_counts
from kepling.workers.models import Worker
from kepling.workers.queries import find_by_nik, workers_for

PAGE_SIZE = 50


class LinkForm(forms.Form):
    worker = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    nik = forms.CharField(
        label=gettext_lazy("NIK of the worker"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Leave empty to use the suggested worker."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)


class ReversePaymentForm(forms.Form):
    referensi = forms.CharField(label=gettext_lazy("Payment reference"), max_length=80)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000)


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
    kind = choice_param(request, "kind", ItemKind.values)
    status = choice_param(request, "status", ItemStatus.values, default=ItemStatus.OPEN)
    area = area_code_param(request, "wilayah")
    scoped = items_in_area(user, area) if area else items_for(user)
    items = scoped.filter(status=status)
    if kind:
        items = items.filter(kind=kind)
    ordered = items.order_by("kind", "-opened_at", "-id")
    fmt = wanted_format(request)
    if fmt:
        return export_response(user, _queue_export(ordered, area), fmt)
    page = Paginator(ordered, PAGE_SIZE).get_page(page_param(request, "page"))
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
            "reverse_form": ReversePaymentForm() if may_resolve(user) else None,
            "area": area,
        },
    )


@login_required
@require_POST
def reverse_payment(request: HttpRequest) -> HttpResponse:
    """Cancel one payment by its BPJS reference (a correction BPJS reported outside an extract)."""
    user = _user(request)
    if not may_resolve(user):
        raise PermissionDenied
    form = ReversePaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the payment reference and the reason."))
        return redirect("reconciliation:queue")
    try:
        actions.reverse_ledger_payment(
            by=user, referensi=form.cleaned_data["referensi"], reason=form.cleaned_data["reason"]
        )
    except actions.DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The payment was reversed; the figures are being updated."))
    return redirect("reconciliation:queue")


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = access_item(user, item_id)
    candidates = candidates_for(user, item) if item.status == ItemStatus.OPEN else []
    # One row naming every person the page shows: the item's worker and the candidates offered.
    shown = sorted({c.worker.pk for c in candidates} | ({item.worker_id} if item.worker_id else set()))
    audit.record(
        actor=user, action="reconciliation_item_viewed", object_type="reconciliation_item", object_id=item.pk,
        new={"candidates": [c.worker.pk for c in candidates]} if candidates else None, workers=shown,
    )
    return render(
        request,
        "reconciliation/item.html",
        {
            "item": item,
            "candidates": candidates,
            "can_resolve": may_resolve(user) and item.status == ItemStatus.OPEN,
            "link_form": LinkForm(),
            # One form per decision, each with its own element ids.
            "reverse_form": NoteForm(auto_id="reverse-%s"),
            "correct_form": NoteForm(auto_id="correct-%s"),
            "dismiss_form": NoteForm(auto_id="dismiss-%s"),
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, item_id: int, decision: str) -> HttpResponse:
    user = _user(request)
    item = access_item(user, item_id)
    if not may_resolve(user):
        raise PermissionDenied
    if decision not in {"link", "dismiss", "correct", "reverse"}:
        raise Http404("decision")
    try:
        if decision == "link":
            link = LinkForm(request.POST)
            if not link.is_valid():
                raise actions.DecisionError(_("Choose a suggested worker or enter the worker's NIK."))
            worker = _link_target(user, link.cleaned_data, item.worker)
            actions.link_payment(by=user, item=item, worker=worker, note=link.cleaned_data.get("note", ""))
            messages.success(request, _("The payment now counts for the worker."))
        else:
            note = request.POST.get("note", "")
            if decision == "dismiss":
                actions.dismiss_item(by=user, item=item, reason=note)
            elif decision == "reverse":
                actions.reverse_unmatched_payment(by=user, item=item, reason=note)
            else:
                actions.mark_corrected(by=user, item=item, note=note)
            messages.success(request, _("Decision recorded."))
    except actions.DecisionError as exc:
        messages.error(request, str(exc))
    return redirect("reconciliation:item", item_id=item.pk)


def _link_target(user: User, data: dict[str, object], candidate: Worker | None) -> Worker:
    chosen, nik = data.get("worker"), str(data.get("nik") or "")
    if isinstance(chosen, int):
        found = workers_for(user).filter(pk=chosen).first()
        if found is None:
            raise actions.DecisionError(_("This worker is not in your area."))
        return found
    if nik.strip():
        found = find_by_nik(user, nik)
        if found is None:
            raise actions.DecisionError(_("No worker in your area has this NIK."))
        return found
    if candidate is None:
        raise actions.DecisionError(_("There is no suggested worker: enter the worker's NIK."))
    return candidate


def _queue_export(items: QuerySet[ReconciliationItem], area: str) -> ListExport:
    """The queue as listed on screen (scoped, NIK masked), one row per item."""
    headers = [
        "#", _("Queue"), _("Worker"), _("NIK"), _("Kelurahan"), _("Month"), _("Amount"), _("Payment reference"),
        _("Opened"),
    ]
    export = ListExport("rekonsiliasi", headers, [], scope=area)

    def body() -> Iterator[list[object]]:
        for item in items.iterator(chunk_size=2000):
            if item.worker_id:
                export.workers.append(item.worker_id)
            yield [
                item.pk, str(item.get_kind_display()), item.worker.nama if item.worker else "",
                item.worker.nik_masked if item.worker else item.details.get("nik_masked", ""),
                item.kelurahan.nama if item.kelurahan else "", str(item.details.get("periode", ""))[:7],
                item.details.get("jumlah") or item.details.get("amount_paid"), item.details.get("referensi", ""),
                item.opened_at.date(),
            ]

    export.rows = body()
    return export
