"""Wilayah endpoints: the user's subtree, one node, and a node's program figures."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from kepling.accounts.scoping import access_wilayah, wilayah_for
from kepling.api.auth import caller
from kepling.api.common import ERRORS, page, resolve_as_of
from kepling.api.errors import ApiError
from kepling.api.schemas import AreaCode, ErrorOut, IsoDate, PageParams, SummaryOut, Tingkat, WilayahOut, WilayahPage
from kepling.contributions.summaries import node_summary, shown_date
from kepling.regions.models import LEVEL_BY_KEY, Wilayah

router = Router(tags=["wilayah"])


def wilayah_out(node: Wilayah) -> WilayahOut:
    return WilayahOut(
        kode=node.kode,
        nama=node.nama,
        tingkat=node.tingkat,
        parent_kode=node.parent.kode if node.parent is not None else None,
        target=node.target,
    )


class WilayahFilters(PageParams):
    tingkat: Tingkat | None = Field(None, description="Only nodes of this level")
    parent: AreaCode | None = Field(None, description="Only the children of this code; 404 when it is not in your area")


@router.get("", response={200: WilayahPage, **ERRORS}, summary="The wilayah you may see")
def list_wilayah(
    request: HttpRequest,
    filters: Query[WilayahFilters],
) -> WilayahPage:
    """Your own node and everything under it, by code; filter by level and by parent code."""
    limit, offset = filters.limit, filters.offset
    user = caller(request)
    nodes = wilayah_for(user).select_related("parent").order_by("kode")
    if filters.tingkat is not None:
        nodes = nodes.filter(level=LEVEL_BY_KEY[filters.tingkat])
    if filters.parent is not None:
        nodes = nodes.filter(parent=access_wilayah(user, filters.parent))
    count, items = page(nodes, limit, offset)
    return WilayahPage(count=count, limit=limit, offset=offset, items=[wilayah_out(n) for n in items])


@router.get("/{kode}", response={200: WilayahOut, **ERRORS}, summary="One wilayah")
def get_wilayah(request: HttpRequest, kode: str) -> WilayahOut:
    node = access_wilayah(caller(request), kode)
    return wilayah_out(node)


@router.get(
    "/{kode}/summary", response={200: SummaryOut, **ERRORS, 503: ErrorOut}, summary="Program figures of a wilayah"
)
def wilayah_summary(request: HttpRequest, kode: str, as_of: Query[IsoDate | None] = None) -> SummaryOut:
    """The same figures as `kepling summary --json` for this node, as of a date (default today)."""
    node = access_wilayah(caller(request), kode)
    asked = resolve_as_of(as_of)
    if shown_date(asked).substituted:
        # Never computed in a request: the background job has been asked for this date.
        message = _("The figures as of %(day)s are being computed; try again in a minute.") % {"day": asked.isoformat()}
        raise ApiError(503, "figures_being_computed", message)
    return SummaryOut(**node_summary(node, asked))
