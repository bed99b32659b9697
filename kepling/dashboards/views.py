"""Dashboards, rankings and review queues for the Lurah, Camat, city administration, leadership and BPJS."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kepling.accounts.models import Role, User
from kepling.accounts.permissions import (
    in_area,
    may_decide,
    may_publish_rankings,
    may_view_dashboards,
    may_view_reconciliation,
)
from kepling.accounts.scoping import access_wilayah, root_wilayah, wilayah_for
from kepling.contributions.as_of import as_of_or_default
from kepling.contributions.retention import retention_tables
from kepling.contributions.status import STATUS_LABELS, Status, registered_on, with_status
from kepling.contributions.summaries import ShownDate, node_summary, shown_date
from kepling.core import audit
from kepling.core.errors import AlreadyDecidedError, NoClaimantError
from kepling.core.exports import ListExport, export_response, wanted_format
from kepling.core.formatting import format_date
from kepling.core.params import area_code_param, choice_param, page_param, sort_param
from kepling.dashboards import charts
from kepling.dashboards.actions import AlreadyPublishedError, publish_ranking
from kepling.dashboards.forms import ConflictDecisionForm, DuplicateDecisionForm, PublishRankingForm
from kepling.dashboards.models import RankingEntry, RankingSnapshot
from kepling.dashboards.queries import (
    UnitRow,
    default_as_of,
    kepling_behind,
    kepling_in_office_map,
    progress_series,
    units_below,
)
from kepling.dashboards.rankings import FORMULA_TEXT, LEVELS, live_ranking
from kepling.dashboards.search import PersonSearchForm, search_people
from kepling.reconciliation.queries import open_counts_by_area, queue_counts
from kepling.regions.models import KELURAHAN, KOTA, LEVEL_KEYS, LINGKUNGAN, Wilayah
from kepling.regions.queries import level_names
from kepling.workers.decisions import resolve_attribution_conflict, resolve_likely_duplicate
from kepling.workers.models import AttributionConflict, DecisionStatus, LikelyDuplicate, Worker
from kepling.workers.queries import conflicts_for, duplicates_for, workers_for
from kepling.workers.validation import InvalidWorkerDataError, search_key

WORKERS_PER_PAGE = 50
BEHIND_SHOWN = 10

# Sortable columns of the units table: query-string key -> value to sort on.
UNIT_SORTS: dict[str, Callable[[UnitRow], Any]] = {
    "nama": lambda u: u.node.nama.casefold(),
    "kode": lambda u: u.node.kode,
    "target": lambda u: u.target,
    "terlindungi": lambda u: u.protected,
    "capaian": lambda u: u.progress_pct or 0,
    "sisa": lambda u: u.remaining,
    "satu_bulan": lambda u: u.paid_one_month_only,
    "aktif": lambda u: u.active,
    "menunggak": lambda u: u.in_arrears,
    "nonaktif": lambda u: u.inactive,
    "belum_bayar": lambda u: u.never_paid,
    "retensi": lambda u: u.active_share_pct or 0,
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def role_home(request: HttpRequest) -> HttpResponse | None:
    """Where `/` sends a signed-in user: the dashboard, or the Kepling's own home; None for the generic page."""
    user = _user(request)
    if root_wilayah(user) is None:
        return None
    if may_view_dashboards(user):
        return redirect("dashboards:home")
    if user.role == Role.KEPLING:
        try:
            return redirect(reverse("workers:kepling_home"))
        except NoReverseMatch:
            return None
    return None


def as_of_from(request: HttpRequest) -> datetime.date:
    """The date whose stored figures the page shows: the one asked for (or the default) once computed."""
    shown = shown_date(as_of_or_default(request, "per"))
    notice = figures_notice(shown)
    if notice:
        request.figures_notice = notice  # type: ignore[attr-defined]  # read by base.html
    return shown.as_of


def figures_notice(shown: ShownDate) -> str:
    """What a page says while the figures of its date are computed or catching up with recent changes."""
    if shown.substituted:
        text = _("The figures as of %(asked)s are being computed; meanwhile these are the figures as of %(shown)s.")
        return text % {"asked": format_date(shown.asked), "shown": format_date(shown.as_of)}
    if shown.updating:
        return _("The figures are being updated with the latest changes; reload the page in a minute.")
    return ""



def breadcrumbs(user: User, node: Wilayah) -> list[Wilayah]:
    """The node's ancestors from the user's own node down to it."""
    root = root_wilayah(user)
    ids = [getattr(node, f"{LEVEL_KEYS[level]}_id") for level in range(KOTA, node.level + 1)]
    found = {w.pk: w for w in Wilayah.objects.filter(pk__in=ids)}
    start = root.level if root is not None else node.level
    return [found[i] for level, i in enumerate(ids) if level >= start and i in found]


def _is_htmx_for(request: HttpRequest, target: str) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target


@login_required
def dashboard(request: HttpRequest, kode: str | None = None) -> HttpResponse:
    """The figures of the user's node (or a node under it), its units and its Kepling behind target."""
    user = _user(request)
    if kode is None:
        root = root_wilayah(user)
        if root is None:
            raise Http404("wilayah")
        kode = root.kode
    node = access_wilayah(user, kode)
    as_of = as_of_from(request)
    names = level_names()
    context: dict[str, Any] = {
        "node": node,
        "as_of": as_of,
        "per": as_of.isoformat(),
        "trail": breadcrumbs(user, node),
        "level_name": names.get(node.level, ""),
        "child_level_name": names.get(node.level + 1, ""),
    }
    fmt = wanted_format(request)
    if node.level < LINGKUNGAN:
        context.update(_units_context(request, node, as_of))
        if fmt:
            return export_response(user, _units_export(node, context), fmt)
        if _is_htmx_for(request, "units"):
            return render(request, "dashboards/_units_table.html", context)
    else:
        if fmt:
            return export_response(user, _workers_export(request, user, node, as_of), fmt)
        context.update(_workers_context(request, user, node, as_of))
        if _is_htmx_for(request, "workers"):
            return render(request, "dashboards/_workers.html", context)
    summary = node_summary(node, as_of)
    series = progress_series(node, as_of, datetime.date.fromisoformat(settings.PROGRAM_START))
    context.update(
        summary=summary,
        series=series,
        line=charts.progress_chart(series),
        bars=charts.status_chart(summary),
        progress_width=min(100.0, summary["progress_pct"] or 0),
    )
    if node.level < LINGKUNGAN:
        context.update(_behind_context(node, as_of))
        audit.record_view(actor=user, page=request.path, accounts=_kepling_shown(context))
    context["reconciliation"] = queue_counts(user) if may_view_reconciliation(user) else {}
    if context["reconciliation"]:
        context["reconciliation_areas"] = open_counts_by_area(user, node)
    return render(request, "dashboards/dashboard.html", context)


def _units_context(request: HttpRequest, node: Wilayah, as_of: datetime.date) -> dict[str, Any]:
    key, descending = sort_param(request, UNIT_SORTS, "kode")
    units = sorted(units_below(node, as_of), key=UNIT_SORTS[key], reverse=descending)
    kepling = kepling_in_office_map([u.node.pk for u in units], as_of) if node.level + 1 == LINGKUNGAN else {}
    rows = [{"unit": u, "kepling": kepling.get(u.node.pk), "bar": min(100.0, u.progress_pct or 0)} for u in units]
    return {"units": rows, "sort_key": key, "sort_desc": descending, "with_kepling": node.level + 1 == LINGKUNGAN}


def _kepling_shown(context: dict[str, Any]) -> list[int]:
    """The Kepling accounts whose name and phone a dashboard lists (units table and those behind)."""
    rows = [*context.get("units", []), *context.get("behind", [])]
    return [row["kepling"].pk for row in rows if row.get("kepling") is not None]


def _behind_context(node: Wilayah, as_of: datetime.date) -> dict[str, Any]:
    behind = kepling_behind(node, as_of)
    shown = list(behind[:BEHIND_SHOWN])
    kepling = kepling_in_office_map([row.lingkungan_id for row in shown], as_of)
    return {
        "behind": [{"row": row, "kepling": kepling.get(row.lingkungan_id)} for row in shown],
        "behind_count": behind.count(),
    }


def _lingkungan_workers(request: HttpRequest, user: User, node: Wilayah, as_of: datetime.date) -> tuple[Any, str, str]:
    """(workers with status, in the screen's order; the search; the status filter) of a lingkungan's list."""
    search = search_key(request.GET.get("q", ""))
    status = choice_param(request, "status", [s.value for s in Status])
    workers = workers_for(user).filter(registered_on(as_of), lingkungan=node)
    if search:
        workers = workers.filter(name_key__contains=search)
    annotated = with_status(workers, as_of)
    if status:
        annotated = annotated.filter(status=status)  # type: ignore[misc]  # an annotation, unknown to the stubs
    return annotated.order_by("nama", "id"), search, status


def _workers_context(request: HttpRequest, user: User, node: Wilayah, as_of: datetime.date) -> dict[str, Any]:
    ordered, search, status = _lingkungan_workers(request, user, node, as_of)
    page = Paginator(ordered, WORKERS_PER_PAGE).get_page(page_param(request, "hal"))
    audit.record(
        actor=user,
        action="worker_list_viewed",
        object_type="wilayah",
        object_id=node.kode,
        new={"as_of": as_of, "q": search, "status": status, "page": page.number, "workers": [w.pk for w in page]},
        workers=[w.pk for w in page],
    )
    kepling = kepling_in_office_map([node.pk], as_of).get(node.pk)
    statuses = [(s.value, STATUS_LABELS[s]) for s in Status]
    return {"page": page, "search": search, "status": status, "statuses": statuses, "kepling": kepling}


@login_required
def kepling_progress(request: HttpRequest) -> HttpResponse:
    """Every Kepling under a node, furthest behind first, with their phone, to chase the ones behind."""
    user = _user(request)
    root = root_wilayah(user)
    if root is None:
        raise Http404("wilayah")
    node = access_wilayah(user, area_code_param(request, "wilayah") or root.kode)
    if node.level >= LINGKUNGAN:
        raise Http404("wilayah")
    as_of = as_of_from(request)
    rows = kepling_behind(node, as_of)
    fmt = wanted_format(request)
    if fmt:
        return export_response(user, _behind_export(node, as_of, rows), fmt)
    page = Paginator(rows, WORKERS_PER_PAGE).get_page(page_param(request, "hal"))
    kepling = kepling_in_office_map([row.lingkungan_id for row in page.object_list], as_of)
    audit.record_view(actor=user, page=request.path, accounts=[k.pk for k in kepling.values()])
    context = {
        "node": node,
        "as_of": as_of,
        "per": as_of.isoformat(),
        "page": page,
        "rows": [{"row": row, "kepling": kepling.get(row.lingkungan_id)} for row in page],
        "trail": breadcrumbs(user, node),
    }
    return render(request, "dashboards/kepling_progress.html", context)


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    """Live rankings of kecamatan, kelurahan and Kepling, and the published award rankings."""
    user = _user(request)
    root = root_wilayah(user)
    if root is None:
        raise Http404("wilayah")
    tab = choice_param(request, "tab", LEVELS, default=_own_tab(root))
    as_of = as_of_from(request)
    # Ranks are city-wide (an award compares every unit); only figures of units in the user's area are shown.
    city = root if root.level == KOTA or root.kota is None else root.kota
    visible = set(wilayah_for(user).filter(level=LEVELS[tab]).values_list("pk", flat=True))
    everyone = live_ranking(city, LEVELS[tab], as_of)
    ranked = [item for item in everyone if item.unit.wilayah_id in visible]
    fmt = wanted_format(request)
    if fmt:
        return export_response(user, _ranking_export(tab, as_of, ranked), fmt)
    page = Paginator(ranked, WORKERS_PER_PAGE).get_page(page_param(request, "hal"))
    page.object_list = [item.as_entry() for item in page.object_list]
    context = {
        "tab": tab,
        "tabs": _tabs(),
        "as_of": as_of,
        "per": as_of.isoformat(),
        "page": page,
        "formula": FORMULA_TEXT,
        "snapshots": RankingSnapshot.objects.all()[:24],
        "can_publish": may_publish_rankings(user) and root.level == KOTA,
        "publish_form": PublishRankingForm(initial={"as_of": as_of, "title": _default_title(as_of)}),
        "scoped": root.level != KOTA,
        "ranked_total": len(everyone),
    }
    return render(request, "dashboards/rankings.html", context)


def _own_tab(root: Wilayah) -> str:
    """The ranking a user lands on: the level they answer for (a Lurah's kelurahan, a Kepling's lingkungan)."""
    return {KELURAHAN: "kelurahan", LINGKUNGAN: "kepling"}.get(root.level, "kecamatan")


def _tabs() -> list[tuple[str, str]]:
    return [("kecamatan", _("Kecamatan")), ("kelurahan", _("Kelurahan")), ("kepling", _("Kepling"))]


def _default_title(as_of: datetime.date) -> str:
    from kepling.core.formatting import format_month

    return _("Award %(month)s") % {"month": format_month(as_of)}


@require_POST
@login_required
def publish(request: HttpRequest) -> HttpResponse:
    """Freeze the rankings as of a date (city administrator only)."""
    user = _user(request)
    if not may_publish_rankings(user):
        raise PermissionDenied
    form = PublishRankingForm(request.POST)
    if not form.is_valid():
        reasons = " ".join(str(error) for error in form.errors.get("as_of", []))
        messages.error(request, f'{_("Give the award period and a valid date to publish the ranking.")} {reasons}')
        return redirect("dashboards:rankings")
    try:
        snapshot = publish_ranking(by=user, as_of=form.cleaned_data["as_of"], title=form.cleaned_data["title"])
    except AlreadyPublishedError as error:
        messages.error(request, str(error))
        return redirect("dashboards:rankings")
    messages.success(request, _("The ranking has been published. Later data will not change it."))
    return redirect("dashboards:snapshot", pk=snapshot.pk)


@login_required
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A published ranking exactly as it was frozen, limited to the units in the user's area."""
    user = _user(request)
    if root_wilayah(user) is None:
        raise Http404("wilayah")
    snapshot = get_object_or_404(RankingSnapshot.objects.select_related("published_by"), pk=pk)
    tab = choice_param(request, "tab", LEVELS, default="kecamatan")
    entries = RankingEntry.objects.filter(snapshot=snapshot, level=LEVELS[tab], wilayah__in=wilayah_for(user)).order_by(
        "rank", "kode"
    )
    page = Paginator(entries, WORKERS_PER_PAGE).get_page(page_param(request, "hal"))
    totals = {
        row["level"]: row["n"]
        for row in RankingEntry.objects.filter(snapshot=snapshot).values("level").annotate(n=_count())
    }
    context = {"snapshot": snapshot, "tab": tab, "tabs": _tabs(), "page": page, "total": totals.get(LEVELS[tab], 0)}
    return render(request, "dashboards/snapshot.html", context)


def _count() -> Any:
    from django.db.models import Count

    return Count("id")


def _ensure_decider(user: User) -> None:
    if not may_decide(user):
        raise PermissionDenied


@login_required
def queues(request: HttpRequest) -> HttpResponse:
    """Open attribution conflicts and likely duplicates in the user's area, each with its decision form."""
    user = _user(request)
    _ensure_decider(user)
    conflicts = conflicts_for(user).filter(status=DecisionStatus.OPEN).select_related("worker__lingkungan")
    duplicates = (
        duplicates_for(user)
        .filter(status=DecisionStatus.OPEN)
        .select_related("worker__lingkungan", "other__lingkungan")
    )
    shown = [c.worker_id for c in conflicts[:100]] + [i for d in duplicates[:100] for i in (d.worker_id, d.other_id)]
    audit.record_view(actor=user, page=request.path, workers=[i for i in shown if i])
    context = {
        "conflicts": [(conflict_case(user, c), ConflictDecisionForm(prefix=f"c{c.pk}")) for c in conflicts[:100]],
        "duplicates": [(duplicate_case(user, d), DuplicateDecisionForm(prefix=f"d{d.pk}")) for d in duplicates[:100]],
        "conflict_count": conflicts.count(),
        "duplicate_count": duplicates.count(),
    }
    return render(request, "dashboards/queues.html", context)


@dataclass(frozen=True)
class Side:
    """One party of a review case, shown only as far as the reviewer's area reaches."""

    visible: bool
    worker_id: int | None = None
    nama: str = ""
    nik_masked: str = ""
    lingkungan: Wilayah | None = None
    kepling: str = ""


def _worker_side(user: User, worker: Worker) -> Side:
    if not in_area(user, worker.lingkungan):
        return Side(visible=False)
    kepling = str(worker.credited_kepling) if worker.credited_kepling else ""
    return Side(True, worker.pk, worker.nama, worker.nik_masked, worker.lingkungan, kepling)


@dataclass(frozen=True)
class Case:
    pk: int
    first: Side
    second: Side
    claimed_on: datetime.date | None
    decidable: bool


def conflict_case(user: User, conflict: AttributionConflict) -> Case:
    """The registered side and the claim; a side outside the reviewer's area shows nothing of the person."""
    claim_node = conflict.claimant_lingkungan
    claim = (
        Side(
            True,
            None,
            str(conflict.submitted.get("nama", "")),
            conflict.worker.nik_masked,
            claim_node,
            str(conflict.claimant) if conflict.claimant else "",
        )
        if in_area(user, claim_node)
        else Side(visible=False)
    )
    decidable = may_decide(user, [conflict.worker.lingkungan, claim_node])
    return Case(conflict.pk, _worker_side(user, conflict.worker), claim, conflict.claimed_on, decidable)


def duplicate_case(user: User, item: LikelyDuplicate) -> Case:
    decidable = may_decide(user, [item.worker.lingkungan, item.other.lingkungan])
    return Case(item.pk, _worker_side(user, item.worker), _worker_side(user, item.other), None, decidable)


def _decide(request: HttpRequest, form: Any, decide: Callable[[], Any]) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give the reason for it."))
        return redirect("dashboards:queues")
    try:
        decide()
    except InvalidWorkerDataError:
        messages.error(request, _("Give the reason for the decision."))
    except (AlreadyDecidedError, NoClaimantError) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The decision has been recorded."))
    return redirect("dashboards:queues")


@require_POST
@login_required
def resolve_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep or transfer a worker's credit."""
    user = _user(request)
    _ensure_decider(user)
    conflict = get_object_or_404(conflicts_for(user), pk=pk)
    form = ConflictDecisionForm(request.POST, prefix=f"c{pk}")
    return _decide(
        request,
        form,
        lambda: resolve_attribution_conflict(
            by=user,
            conflict=conflict,
            transfer=form.cleaned_data["decision"] == "transfer",
            reason=form.cleaned_data["reason"],
        ),
    )


@require_POST
@login_required
def resolve_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or dismiss a likely duplicate."""
    user = _user(request)
    _ensure_decider(user)
    item = get_object_or_404(duplicates_for(user), pk=pk)
    form = DuplicateDecisionForm(request.POST, prefix=f"d{pk}")
    return _decide(
        request,
        form,
        lambda: resolve_likely_duplicate(
            by=user,
            item=item,
            is_duplicate=form.cleaned_data["decision"] == "duplicate",
            reason=form.cleaned_data["reason"],
        ),
    )


@login_required
def retention_page(request: HttpRequest, kode: str) -> HttpResponse:
    """Whether workers keep paying: retention at 3, 6 and 12 months and monthly registration cohorts."""
    user = _user(request)
    node = access_wilayah(user, kode)
    as_of = as_of_from(request)
    context = {
        "node": node,
        "as_of": as_of,
        "per": as_of.isoformat(),
        "trail": breadcrumbs(user, node),
        "tables": retention_tables(node, as_of),
    }
    return render(request, "dashboards/retention.html", context)


def _behind_export(node: Wilayah, as_of: datetime.date, rows: Any) -> ListExport:
    """Every Kepling below target under a node, furthest behind first, with phone and arrears."""
    listed = list(rows)
    kepling = kepling_in_office_map([row.lingkungan_id for row in listed], as_of)
    headers = [
        _("Lingkungan code"), _("Lingkungan"), _("Kelurahan"), _("Kepling"), _("Phone"), _("Protected"),
        _("Target"), _("Still to go"), _("In arrears"), _("Inactive"), _("Never paid"),
    ]
    body = (
        [
            r.lingkungan.kode, r.lingkungan.nama, r.kelurahan.nama, str(kepling.get(r.lingkungan_id) or ""),
            getattr(kepling.get(r.lingkungan_id), "phone", ""), r.protected, r.target, r.gap, r.in_arrears,
            r.inactive, r.never_paid,
        ]
        for r in listed
    )
    return ListExport("kepling-di-bawah-target", headers, body, scope=node.kode)


def _units_export(node: Wilayah, context: dict[str, Any]) -> ListExport:
    """The units table of a dashboard, in the order and sort the screen uses."""
    headers = [
        _("Code"), _("Name"), _("Kepling"), _("Phone"), _("Target"), _("Registered"), _("Protected"),
        _("Progress (%)"), _("Paid one month only"), _("Never paid"), _("Active"), _("In arrears"), _("Inactive"),
    ]
    body = (
        [
            u.node.kode, u.node.nama, str(row["kepling"] or ""), getattr(row["kepling"], "phone", ""), u.target,
            u.registered, u.protected, float(u.progress_pct) if u.progress_pct is not None else None,
            u.paid_one_month_only, u.never_paid, u.active, u.in_arrears, u.inactive,
        ]
        for row in context["units"]
        for u in [row["unit"]]
    )
    return ListExport("wilayah", headers, body, scope=node.kode)


def _workers_export(request: HttpRequest, user: User, node: Wilayah, as_of: datetime.date) -> ListExport:
    """The workers of a lingkungan with status and months in arrears (NIK masked), as filtered on screen."""
    ordered, _search, _status = _lingkungan_workers(request, user, node, as_of)
    headers = [_("Name"), _("NIK"), _("Status"), _("Paid months"), _("Months overdue"), _("Registered")]
    export = ListExport("pekerja", headers, [], scope=node.kode)

    def body() -> Iterator[list[object]]:
        for w in ordered.iterator(chunk_size=2000):
            export.workers.append(w.pk)
            yield [w.nama, w.nik_masked, str(STATUS_LABELS[Status(w.status)]), w.paid_months, w.arrears_months,
                   w.tanggal_daftar]

    export.rows = body()
    return export


def _ranking_export(tab: str, as_of: datetime.date, ranked: list[Any]) -> ListExport:
    """The live ranking of a tab as the screen lists it (units in the user's area, city-wide ranks)."""
    headers = [
        _("Rank"), _("Code"), _("Name"), _("Kepling"), _("Score"), _("Target"), _("Protected"), _("Progress (%)"),
        _("Active"), _("One month only"), _("Never paid"),
    ]
    body = (
        [
            e["rank"], e["kode"], e["nama"], e.get("kepling_nama") or "", float(e["score"]), e["target"],
            e["protected"], float(e["progress_pct"]) if e["progress_pct"] is not None else None, e["active"],
            e["paid_one_month_only"], e["never_paid"],
        ]
        for e in (item.as_entry() for item in ranked)
    )
    return ListExport(f"peringkat-{tab}", headers, body, scope=as_of.isoformat())


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    """Find a person in the user's area by NIK, KPJ, phone or name, with filters; a Kepling uses their own list."""
    user = _user(request)
    if root_wilayah(user) is None or user.role == Role.KEPLING:
        raise PermissionDenied
    form = PersonSearchForm(request.GET or None)
    as_of = default_as_of()
    # A search that cannot be run shows the form's reasons with a 400, never every worker unfiltered.
    invalid = form.is_bound and not form.is_valid()
    page = search_people(user, form, as_of) if form.is_bound and not invalid else None
    statuses = {s.value: STATUS_LABELS[s] for s in Status}
    context = {"form": form, "page": page, "statuses": statuses, "as_of": as_of}
    return render(request, "dashboards/search.html", context, status=400 if invalid else 200)
