"""Report pages: choose a node and a date, download the workbook or the PDF."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kepling.accounts.models import User
from kepling.accounts.scoping import access_wilayah, root_wilayah, wilayah_for
from kepling.contributions.as_of import InvalidAsOfError, check_as_of, picker_span
from kepling.core import audit
from kepling.regions.models import KELURAHAN
from kepling.reports import builder, jobs
from kepling.reports.models import ReportJob, ReportStatus

CHOICES_SHOWN = 400
RECENT_SHOWN = 20


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _as_of(request: HttpRequest) -> tuple[datetime.date, str]:
    """The checked `per` date, or the latest data's date and why the asked one was refused."""
    try:
        checked = check_as_of(request.GET.get("per", ""))
    except InvalidAsOfError as error:
        return check_as_of(None).date, error.message
    if checked.warning:
        messages.warning(request, checked.warning)
    return checked.date, ""


@login_required
def choose(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    root = root_wilayah(user)
    if root is None:
        raise Http404("wilayah")
    kode = request.GET.get("wilayah", "").strip()
    if kode:
        params = request.GET.copy()
        params.pop("wilayah")
        node = access_wilayah(user, kode)
        return redirect(f"/laporan/{node.kode}/?{params.urlencode()}")
    nodes = wilayah_for(user).filter(level__lte=max(root.level, KELURAHAN)).order_by("kode")[:CHOICES_SHOWN]
    as_of, refused = _as_of(request)
    if refused:
        messages.error(request, refused)
    first, last = picker_span()
    context = {
        "nodes": nodes, "root": root, "per": as_of.isoformat(), "first": first, "last": last,
        "recent": jobs.jobs_for(user)[:RECENT_SHOWN],
    }
    return render(request, "reports/choose.html", context)


@login_required
def report(request: HttpRequest, kode: str) -> HttpResponse:
    user = _user(request)
    node = access_wilayah(user, kode)
    as_of, refused = _as_of(request)
    fmt = request.GET.get("format", "")
    first, last = picker_span()
    context = {"node": node, "per": as_of.isoformat(), "first": first, "last": last, "refused": refused}
    if refused:
        return render(request, "reports/node.html", context, status=400)
    if fmt not in builder.FORMATS:
        return render(request, "reports/node.html", context)
    job = jobs.request_report(by=user, node=node, as_of=as_of, fmt=fmt)
    if job.status == ReportStatus.DONE:  # built before (or at once): a second click does not build it again
        return _file(user, job)
    return redirect("reports:job", job_id=job.pk)


@login_required
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    """A report being built: its progress, then its download link (which lasts)."""
    job = jobs.access_report_job(_user(request), job_id)
    if jobs.run_if_no_worker(job):
        job.refresh_from_db()
    template = "reports/_job_status.html" if request.headers.get("HX-Request") == "true" else "reports/job.html"
    return render(request, template, {"job": job})


@login_required
def job_file(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _user(request)
    job = jobs.access_report_job(user, job_id)
    if job.status != ReportStatus.DONE:
        return redirect("reports:job", job_id=job.pk)
    return _file(user, job)


def _file(user: User, job: ReportJob) -> HttpResponse:
    """The stored file of a built report; each download is audited."""
    try:
        content = jobs.storage_path(job).read_bytes()
    except OSError:
        raise Http404("report") from None
    audit.record(actor=user, action="report_downloaded", object_type="report_job", object_id=job.pk,
                 new={"node": job.wilayah.kode, "date": job.as_of, "format": job.format})
    response = HttpResponse(content, content_type=builder.CONTENT_TYPES[job.format])
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response
