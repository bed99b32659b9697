"""The data-subject request page for Admin kota: find a person by NIK, export or erase their data."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from kepling.accounts.models import User
from kepling.accounts.permissions import may_handle_data_subject_requests
from kepling.workers.subject import erase_person, find_person, person_export


class SubjectRequestForm(forms.Form):
    nik = forms.CharField(label=gettext_lazy("NIK of the person"), max_length=40)
    action = forms.ChoiceField(
        label=gettext_lazy("Request"),
        choices=[("export", gettext_lazy("Export everything held")), ("erase", gettext_lazy("Erase (anonymise)"))],
    )
    reason = forms.CharField(label=gettext_lazy("Request and reason (for erasure)"), required=False, max_length=500)


@never_cache
@login_required
def subject_request(request: HttpRequest) -> HttpResponse:
    """Access and erasure requests of one person (correction goes through the worker's own edit)."""
    user = request.user
    assert isinstance(user, User)
    if not may_handle_data_subject_requests(user):
        raise PermissionDenied
    form = SubjectRequestForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "workers/subject.html", {"form": form}, status=400 if form.is_bound else 200)
    try:
        worker = find_person(user, form.cleaned_data["nik"])
    except Http404:
        form.add_error("nik", _("No worker in the registry holds this NIK."))
        return render(request, "workers/subject.html", {"form": form}, status=404)
    if form.cleaned_data["action"] == "export":
        body = json.dumps(person_export(by=user, worker=worker), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="data-pekerja-{worker.pk}.json"'
        return response
    if not form.cleaned_data["reason"].strip():
        form.add_error("reason", _("Give the request and the reason for the erasure."))
        return render(request, "workers/subject.html", {"form": form}, status=400)
    erase_person(by=user, worker=worker, reason=form.cleaned_data["reason"])
    messages.success(request, _("The person's data has been erased; the figures keep counting the registration."))
    return redirect("workers:subject")
