"""The one place that decides which wilayah a user may see. Every scoped read starts here."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kepling.accounts.models import User
from kepling.regions.models import LEVEL_KEYS, Wilayah


def root_wilayah(user: User) -> Wilayah | None:
    """The node at the top of the user's view, or None when the user may see nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser and user.wilayah_id is None:
        return Wilayah.objects.filter(parent__isnull=True).order_by("kode").first()
    if not user.role or user.wilayah_id is None:
        return None
    return user.wilayah


def scope_q(user: User, *, prefix: str = "") -> Q:
    """A filter for rows under the user's node, on a model with denormalised ancestor columns.

    `prefix` reaches the columns through a relation (e.g. `worker__`). A user bound to nothing
    gets a filter that matches nothing.
    """
    root = root_wilayah(user)
    if root is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}{LEVEL_KEYS[root.level]}_id": root.pk})


def wilayah_for(user: User) -> QuerySet[Wilayah]:
    """Every node the user may see: their own node and everything under it."""
    return Wilayah.objects.filter(scope_q(user))


def access_wilayah(user: User, kode: str) -> Wilayah:
    """One node by code, or Http404 for both 'missing' and 'not yours'."""
    from django.http import Http404

    node = wilayah_for(user).filter(kode=kode).first()
    if node is None:
        raise Http404("wilayah")
    return node
