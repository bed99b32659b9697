"""The audit log browser: who did or saw what, and when. City administrators only."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kepling.accounts.permissions import may_view_audit
from kepling.core.audit_text import action_choices, changes, sentence
from kepling.core.exports import ListExport, export_response, wanted_format
from kepling.core.models import AuditLog, AuditSubject
from kepling.core.params import page_param

AUDIT_PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    """The audit browser's filters; every field is optional."""

    actor = forms.CharField(label=_("Username"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[])
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Every action")), *action_choices()]  # type: ignore[attr-defined]

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
            # Changes name the worker as their object; views, lists and exports through AuditSubject.
            about = AuditSubject.objects.filter(worker_id=data["worker"]).values("entry_id")
            rows = rows.filter(Q(object_type="worker", object_id=str(data["worker"])) | Q(pk__in=about))
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
    # Filters that cannot be applied show the form's reasons with a 400, never the whole log unfiltered.
    invalid = form.is_bound and not form.is_valid()
    if invalid:
        rows = rows.none()
    elif form.is_bound:
        rows = form.filter(rows)
    fmt = wanted_format(request)
    if fmt and not invalid:
        return export_response(request.user, _audit_export(rows), fmt)  # type: ignore[arg-type]
    page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(page_param(request, "page"))
    query = request.GET.copy()
    query.pop("page", None)
    entries = [{"row": row, "sentence": sentence(row), "changes": changes(row)} for row in page.object_list]
    context = {
        "form": form,
        "page": page,
        "entries": entries,
        "query": query.urlencode(),
    }
    return render(request, "core/audit_log.html", context, status=400 if invalid else 200)


def _audit_export(rows: QuerySet[AuditLog]) -> ListExport:
    """The filtered audit log, newest first, as on screen."""
    headers = [
        _("Time"), _("User"), _("What happened"), _("Action"), _("Object"), _("Note"), _("Before"), _("After"),
    ]
    body = (
        [
            timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"), row.actor.username if row.actor else "",
            sentence(row), row.action, f"{row.object_type}:{row.object_id}" if row.object_id else row.object_type,
            row.note,
            "" if row.old_values is None else json.dumps(row.old_values, ensure_ascii=False),
            "" if row.new_values is None else json.dumps(row.new_values, ensure_ascii=False),
        ]
        for row in rows.iterator(chunk_size=2000)
    )
    return ListExport("audit", [str(h) for h in headers], body)
