"""Reads of the mismatch queues, scoped: city-wide roles see every item, a Lurah or Camat their area."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from kepling.accounts.models import User
from kepling.accounts.permissions import may_reconcile, may_view_reconciliation
from kepling.accounts.scoping import access_wilayah, root_wilayah
from kepling.reconciliation.models import ItemKind, ItemStatus, ReconciliationItem
from kepling.regions.models import KECAMATAN, KELURAHAN, KOTA, LEVEL_KEYS, Wilayah


def items_for(user: User) -> QuerySet[ReconciliationItem]:
    """The items a user may see; a Kepling sees none."""
    items = ReconciliationItem.objects.select_related("worker", "payment", "kelurahan", "resolved_by")
    root = root_wilayah(user)
    if root is None:
        return items.none()
    if not may_view_reconciliation(user):
        return items.none()
    if root.level == KOTA:
        return items
    if root.level in (KECAMATAN, KELURAHAN):
        return items.filter(**{f"{LEVEL_KEYS[root.level]}_id": root.pk})
    return items.none()


def may_view(user: User) -> bool:
    return may_view_reconciliation(user)


def may_resolve(user: User) -> bool:
    return may_reconcile(user)


def access_item(user: User, item_id: object) -> ReconciliationItem:
    """One item, or Http404 alike for 'missing' and 'not yours'."""
    try:
        pk = int(str(item_id))
    except ValueError:
        raise Http404("item") from None
    item = items_for(user).filter(pk=pk).first()
    if item is None:
        raise Http404("item")
    return item


def queue_counts(user: User) -> dict[str, int]:
    """Open items per queue in the user's area (every kind present, zero when empty), plus `total`."""
    counts = dict.fromkeys((k.value for k in ItemKind), 0)
    rows = items_for(user).filter(status=ItemStatus.OPEN).values("kind").annotate(n=Count("id")).order_by()
    for row in rows:
        counts[row["kind"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def open_counts_by_area(user: User, node: Wilayah) -> list[tuple[Wilayah, int]]:
    """Open items per unit just below `node` (kecamatan or kelurahan), in the user's area, most first."""
    if node.level + 1 not in (1, 2):
        return []
    key = f"{LEVEL_KEYS[node.level + 1]}_id"
    rows = (
        items_for(user)
        .filter(status=ItemStatus.OPEN, **{f"{LEVEL_KEYS[node.level]}_id": node.pk})
        .values(key)
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row[key]: row["n"] for row in rows if row[key] is not None}
    units = Wilayah.objects.filter(pk__in=counts).order_by("kode")
    return sorted(((unit, counts[unit.pk]) for unit in units), key=lambda pair: -pair[1])


def items_in_area(user: User, kode: str) -> QuerySet[ReconciliationItem]:
    """The user's items of one kecamatan or kelurahan (Http404 for an area outside the user's)."""
    node = access_wilayah(user, kode)
    if node.level not in (1, 2):
        return items_for(user)
    return items_for(user).filter(**{f"{LEVEL_KEYS[node.level]}_id": node.pk})
