"""Reads of the wilayah tree and Kepling terms."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q

from kepling.accounts.models import User
from kepling.regions.models import KeplingTerm, StaleSummary, Wilayah


def kepling_in_office(lingkungan: Wilayah, day: datetime.date) -> User | None:
    """The Kepling whose term covers `day` in `lingkungan`, if any."""
    term = (
        KeplingTerm.objects.filter(lingkungan=lingkungan, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("kepling")
        .order_by("-start")
        .first()
    )
    return term.kepling if term else None


def mark_summaries_stale(lingkungan_ids: Iterable[int], since: datetime.date) -> None:
    """Record that these lingkungan's summaries from `since` on must be recomputed."""
    ids = set(lingkungan_ids)
    if not ids:
        return
    existing = dict(StaleSummary.objects.filter(lingkungan_id__in=ids).values_list("lingkungan_id", "since"))
    to_create = [StaleSummary(lingkungan_id=i, since=since) for i in ids - existing.keys()]
    StaleSummary.objects.bulk_create(to_create, ignore_conflicts=True)
    earlier = [i for i, s in existing.items() if since < s]
    if earlier:
        StaleSummary.objects.filter(lingkungan_id__in=earlier).update(since=since)
