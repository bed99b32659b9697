"""Writes of the dashboards app: publishing a ranking for an award period."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.accounts.permissions import may_publish_rankings
from kepling.accounts.scoping import root_wilayah
from kepling.core import audit
from kepling.core.errors import DomainError
from kepling.dashboards.models import RankingEntry, RankingSnapshot
from kepling.dashboards.rankings import FORMULA_TEXT, LEVELS, live_ranking
from kepling.regions.models import KOTA


class AlreadyPublishedError(DomainError):
    """A ranking for that date was published before."""


@transaction.atomic
def publish_ranking(*, by: User, as_of: datetime.date, title: str) -> RankingSnapshot:
    """Freeze the kecamatan, kelurahan and Kepling rankings of the city as of a date."""
    if not may_publish_rankings(by):
        raise PermissionDenied(_("Only the city administrator may publish a ranking."))
    if RankingSnapshot.objects.filter(as_of=as_of).exists():
        raise AlreadyPublishedError(_("A ranking for this date has already been published."))
    city = root_wilayah(by)
    if city is None or city.level != KOTA:
        raise PermissionDenied(_("Only the city administrator may publish a ranking."))
    snapshot = RankingSnapshot.objects.create(
        title=title.strip() or str(as_of), as_of=as_of, formula=str(FORMULA_TEXT), published_by=by
    )
    entries: list[RankingEntry] = []
    for level in LEVELS.values():
        ranked = live_ranking(city, level, as_of)
        entries += [RankingEntry(snapshot=snapshot, level=level, **item.as_entry()) for item in ranked]
    RankingEntry.objects.bulk_create(entries, batch_size=1000)
    audit.record(
        actor=by, action="ranking_published", object_type="ranking_snapshot", object_id=snapshot.pk,
        new={"title": snapshot.title, "as_of": as_of, "entries": len(entries)},
    )
    return snapshot
