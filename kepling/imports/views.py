"""Import pages: upload, preview and map, check, apply with a live progress bar, result and error report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kepling.accounts.models import User
from kepling.accounts.permissions import may_upload
from kepling.core import audit
from kepling.core.tabular import normalise_header
from kepling.imports import jobs
from kepling.imports.errors_report import error_report, job_errors
from kepling.imports.forms import MappingForm, UploadForm
from kepling.imports.models import ImportJob, ImportKind, JobStatus

SHOWN_ERRORS = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _kind(kind: str) -> ImportKind:
    try:
        return ImportKind(kind)
    except ValueError:
        raise Http404("kind") from None


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    kinds = jobs.kinds_for(user)
    if not kinds:
        raise PermissionDenied
    recent = jobs.jobs_for(user)[:50]
    return render(request, "imports/list.html", {"kinds": kinds, "jobs": recent})


@login_required
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    user = _user(request)
    import_kind = _kind(kind)
    if not may_upload(user, import_kind):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.create_job(by=user, kind=import_kind, upload=form.cleaned_data["file"])
        return redirect("imports:job", job_id=job.pk)
    columns = jobs.COLUMNS[import_kind]
    return render(
        request,
        "imports/upload.html",
        {"form": form, "kind": import_kind, "required": columns[0], "optional": columns[1]},
    )


def _mapping_form(job: ImportJob, preview: jobs.Preview, data: object = None) -> MappingForm | None:
    headers = [h for h in preview.header if normalise_header(h) and h in preview.unknown]
    if not headers:
        return None
    initial = {h: job.column_mapping.get(normalise_header(h), "") for h in headers}
    return MappingForm(data, headers=headers, columns=jobs.contract_columns(job.kind), initial_map=initial)


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = jobs.access_job(_user(request), job_id)
    if jobs.run_if_no_worker(job):
        job.refresh_from_db()
    preview = jobs.preview(job)
    errors = job_errors(job)
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "preview": preview,
            "mapping_form": _mapping_form(job, preview),
            "errors": errors[:SHOWN_ERRORS],
            "more_errors": max(0, len(errors) - SHOWN_ERRORS),
            "rows_done": jobs.rows_done(job),
            "stale": jobs.is_stale(job),
        },
    )


@login_required
@require_POST
def save_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _user(request)
    job = jobs.access_job(user, job_id)
    if job.status in {JobStatus.RUNNING, JobStatus.DONE}:
        return redirect("imports:job", job_id=job.pk)
    form = _mapping_form(job, jobs.preview(job), request.POST)
    if form is not None and form.is_valid():
        jobs.save_mapping(by=user, job=job, mapping=form.mapping())
        messages.success(request, _("Column mapping saved; it will be used for the next file from you too."))
    return redirect("imports:job", job_id=job.pk)


@login_required
@require_POST
def validate(request: HttpRequest, job_id: int) -> HttpResponse:
    job = jobs.access_job(_user(request), job_id)
    jobs.validate_job(job)
    return redirect("imports:job", job_id=job.pk)


@login_required
@require_POST
def apply(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _user(request)
    job = jobs.access_job(user, job_id)
    if job.status == JobStatus.RUNNING:
        jobs.rerun_stale_job(by=user, job=job)  # only when its worker is gone
        return redirect("imports:job", job_id=job.pk)
    if job.status == JobStatus.FAILED:
        job.status = JobStatus.VALIDATED
        job.save(update_fields=["status"])
    jobs.start_job(job)
    return redirect("imports:job", job_id=job.pk)


@login_required
def status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment the job page polls every second."""
    job = jobs.access_job(_user(request), job_id)
    if jobs.run_if_no_worker(job):
        job.refresh_from_db()
    response = render(
        request,
        "imports/_status.html",
        {"job": job, "rows_done": jobs.rows_done(job), "fragment": True, "stale": jobs.is_stale(job)},
    )
    if job.status in {JobStatus.DONE, JobStatus.FAILED} and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def download_errors(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _user(request)
    job = jobs.access_job(user, job_id)
    content = error_report(job)
    audit.record(
        actor=user,
        action="import_errors_exported",
        object_type="import_job",
        object_id=job.pk,
        new={"errors": len(job_errors(job))},
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="kesalahan-impor-{job.pk}.xlsx"'
    return response
