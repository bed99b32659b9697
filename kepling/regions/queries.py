"""Reads of the wilayah tree and Kepling terms."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q

from kepling.accounts.models import User
from kepling.regions.models import (
    LEVEL_KEYS,
    KeplingTerm,
    LevelName,
    StaleSummary,
    Wilayah,
    WilayahStatistic,
)


def kepling_in_office(lingkungan: Wilayah | int, day: datetime.date) -> User | None:
    """The Kepling whose term covers `day` in `lingkungan` (a lingkungan or its id), if any."""
    lingkungan_id = lingkungan if isinstance(lingkungan, int) else lingkungan.pk
    term = (
        KeplingTerm.objects.filter(lingkungan_id=lingkungan_id, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("kepling")
        .order_by("-start")
        .first()
    )
    return term.kepling if term else None


def mark_summaries_stale(lingkungan_ids: Iterable[int], since: datetime.date) -> None:
    """Record that these lingkungan's summaries from `since` on must be recomputed, and ask for it after commit."""
    ids = set(lingkungan_ids)
    if not ids:
        return
    StaleSummary.objects.bulk_create([StaleSummary(lingkungan_id=i, since=since) for i in sorted(ids)], batch_size=2000)
    # The refresh is summaries' business (kepling.contributions), which sits above the regions.
    from kepling.contributions.summaries import request_refresh

    request_refresh()


def level_names() -> dict[int, str]:
    """What this deployment calls each level (`LevelName` rows), falling back to the level keys."""
    names = {level: key.capitalize() for level, key in LEVEL_KEYS.items()}
    names.update(LevelName.objects.values_list("level", "name"))
    return names


def statistics_for(node: Wilayah, as_of: datetime.date) -> tuple[int, int] | None:
    """(labour force, active BPJS participants) of a node as of a date; None when nothing is known.

    A node's own latest figures on or before `as_of` win. A node without figures gets the sum
    over its children, each child counted by the same rule (its own figures, else its
    children's), so the sum reaches down only where a level has no figures of its own. Children
    with nothing known add nothing; when no node under it has figures, the result is None.
    """
    latest: dict[int, tuple[datetime.date, int, int]] = {}
    rows = WilayahStatistic.objects.filter(
        **{f"wilayah__{node.ancestor_field()}": node}, per_tanggal__lte=as_of
    ).values_list("wilayah_id", "per_tanggal", "angkatan_kerja", "peserta_aktif_bpjs")
    for wilayah_id, day, labour_force, participants in rows:
        if wilayah_id not in latest or day > latest[wilayah_id][0]:
            latest[wilayah_id] = (day, labour_force, participants)
    if not latest:
        return None
    if node.pk in latest:
        return latest[node.pk][1], latest[node.pk][2]
    children: dict[int, list[int]] = {}
    subtree = Wilayah.objects.filter(**{node.ancestor_field(): node}).values_list("id", "parent_id")
    for child_id, parent_id in subtree:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(child_id)

    def figures(wilayah_id: int) -> tuple[int, int] | None:
        if wilayah_id in latest:
            return latest[wilayah_id][1], latest[wilayah_id][2]
        found = [f for f in (figures(c) for c in children.get(wilayah_id, [])) if f is not None]
        if not found:
            return None
        return sum(f[0] for f in found), sum(f[1] for f in found)

    return figures(node.pk)
