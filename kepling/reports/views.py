"""Report pages: choose a node and a date, download the workbook or the PDF."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kepling.accounts.models import User
from kepling.accounts.scoping import access_wilayah, root_wilayah, wilayah_for
from kepling.contributions.summaries import shown_date
from kepling.dashboards.queries import default_as_of
from kepling.dashboards.views import figures_notice
from kepling.regions.models import KELURAHAN
from kepling.reports import builder

CHOICES_SHOWN = 400


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _as_of(request: HttpRequest) -> tuple[datetime.date, bool]:
    """The date reported on: the one asked for once its summaries are stored, else the latest stored (said so)."""
    text = request.GET.get("per", "").strip()
    if not text:
        return _stored(request, default_as_of()), True
    try:
        return _stored(request, datetime.date.fromisoformat(text)), True
    except ValueError:
        return _stored(request, default_as_of()), False


def _stored(request: HttpRequest, asked: datetime.date) -> datetime.date:
    shown = shown_date(asked)
    notice = figures_notice(shown)
    if notice:
        request.figures_notice = notice  # type: ignore[attr-defined]  # read by base.html
    return shown.as_of


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
    as_of, _valid = _as_of(request)
    return render(request, "reports/choose.html", {"nodes": nodes, "root": root, "per": as_of.isoformat()})


@login_required
def report(request: HttpRequest, kode: str) -> HttpResponse:
    user = _user(request)
    node = access_wilayah(user, kode)
    as_of, valid = _as_of(request)
    fmt = request.GET.get("format", "")
    if not valid:
        context = {"node": node, "per": as_of.isoformat(), "bad_date": True}
        return render(request, "reports/node.html", context, status=400)
    if fmt not in builder.FORMATS:
        return render(request, "reports/node.html", {"node": node, "per": as_of.isoformat()})
    content, name = builder.export(user, node, as_of, fmt)
    response = HttpResponse(content, content_type=builder.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
