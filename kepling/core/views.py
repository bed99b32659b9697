"""The audit log browser: who did or saw what, and when. City administrators only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kepling.accounts.permissions import may_view_audit
from kepling.core.models import AuditLog, AuditSubject

AUDIT_PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    """The audit browser's filters; every field is optional."""

    actor = forms.CharField(label=_("Username"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    worker = forms.IntegerField(
        label=_("Worker (id)"), required=False, min_value=1, max_value=2**62,
        help_text=_("Every entry about this person: changes, views, lists and exports that showed them."),
    )
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filter(self, rows: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        """Apply the valid filters (dates are calendar days in Asia/Jakarta)."""
        data = self.cleaned_data
        if data.get("actor"):
            rows = rows.filter(actor__username__iexact=data["actor"].strip())
        if data.get("action"):
            rows = rows.filter(action=data["action"].strip())
        if data.get("object_type"):
            rows = rows.filter(object_type=data["object_type"].strip())
        if data.get("object_id"):
            rows = rows.filter(object_id=data["object_id"].strip())
        if data.get("worker"):
            rows = rows.filter(pk__in=AuditSubject.objects.filter(worker_id=data["worker"]).values("entry_id"))
        if data.get("date_from"):
            rows = rows.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            rows = rows.filter(at__date__lte=data["date_to"])
        return rows


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page, filtered by actor, action, object and dates."""
    if not may_view_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    rows = AuditLog.objects.select_related("actor").order_by("-at", "-id")
    if form.is_bound and form.is_valid():
        rows = form.filter(rows)
    elif form.is_bound:
        rows = rows.none()
    page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "core/audit_log.html", context)
