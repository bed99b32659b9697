"""Look-ups the worker checks need (lingkungan by code, Kepling accounts and terms), made once
per batch so a 50,000-row file costs a handful of queries instead of one per row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from kepling.accounts.models import User
from kepling.accounts.permissions import may_register
from kepling.accounts.scoping import root_wilayah
from kepling.regions.models import LEVEL_KEYS, KeplingTerm, Wilayah

if TYPE_CHECKING:
    from kepling.workers.validation import WorkerInput

T = TypeVar("T", str, int)


class References:
    """Lingkungan, Kepling accounts and terms looked up once and reused across many rows."""

    def __init__(self, by: User | None) -> None:
        self.by = by
        self._root = _registering_root(by)
        self._nodes: dict[str, Wilayah | None] = {}
        self._users: dict[str, User | None] = {}
        self._terms: dict[int, list[KeplingTerm]] = defaultdict(list)
        self._terms_loaded_for: set[int] = set()

    def preload(self, rows: Iterable[WorkerInput]) -> None:
        """Fetch every node and username the rows mention in a few queries."""
        rows = list(rows)
        codes = {r.kode_lingkungan.strip() for r in rows if r.lingkungan is None and "\x00" not in r.kode_lingkungan}
        codes -= self._nodes.keys()
        for chunk in _chunks(sorted(c for c in codes if c)):
            found = {w.kode: w for w in Wilayah.objects.filter(kode__in=chunk)}
            self._nodes.update({c: found.get(c) for c in chunk})
        names = {r.kepling.strip() for r in rows if r.kepling.strip() and "\x00" not in r.kepling} - self._users.keys()
        found_users = {u.username: u for u in User.objects.filter(username__in=names)}
        self._users.update({n: found_users.get(n) for n in names})
        node_ids = {n.pk for n in self._nodes.values() if n is not None}
        node_ids |= {r.lingkungan.pk for r in rows if r.lingkungan is not None}
        self._load_terms(node_ids)

    def _load_terms(self, lingkungan_ids: set[int]) -> None:
        wanted = lingkungan_ids - self._terms_loaded_for
        for chunk in _chunks(sorted(wanted)):
            for term in KeplingTerm.objects.filter(lingkungan_id__in=chunk).select_related("kepling"):
                self._terms[term.lingkungan_id].append(term)
        self._terms_loaded_for |= wanted

    def node(self, kode: str) -> Wilayah | None:
        kode = kode.strip()
        if "\x00" in kode:
            # No code holds a NUL, and PostgreSQL refuses one in any text parameter.
            return None
        if kode not in self._nodes:
            self._nodes[kode] = Wilayah.objects.filter(kode=kode).first()
        return self._nodes[kode]

    def user(self, username: str) -> User | None:
        if "\x00" in username:
            return None
        if username not in self._users:
            self._users[username] = User.objects.filter(username=username).first()
        return self._users[username]

    def may_register_in(self, lingkungan: Wilayah) -> bool:
        """Whether `by` may write in this lingkungan (no `by`: an operator at the command line)."""
        if self.by is None:
            return True
        if self._root is None:
            return False
        return bool(getattr(lingkungan, f"{LEVEL_KEYS[self._root.level]}_id") == self._root.pk)

    def kepling_in_office(self, lingkungan: Wilayah, day: datetime.date) -> User | None:
        """The same rule as `regions.queries.kepling_in_office`, answered from the loaded terms."""
        self._load_terms({lingkungan.pk})
        covering = [t for t in self._terms[lingkungan.pk] if t.start <= day and (t.end is None or t.end >= day)]
        return max(covering, key=lambda t: t.start).kepling if covering else None

    def held_office(self, kepling: User, lingkungan: Wilayah, day: datetime.date) -> bool:
        """Whether `kepling` had a term covering `day` in `lingkungan` (or is bound to it)."""
        if kepling.wilayah_id == lingkungan.pk:
            return True
        self._load_terms({lingkungan.pk})
        return any(
            t.kepling_id == kepling.pk and t.start <= day and (t.end is None or t.end >= day)
            for t in self._terms[lingkungan.pk]
        )


def _registering_root(by: User | None) -> Wilayah | None:
    if by is None:
        return None
    if not may_register(by):
        return None
    return root_wilayah(by)


def _chunks(items: Sequence[T], size: int = 900) -> Iterable[Sequence[T]]:
    # SQLite caps the number of query parameters; 900 stays under every version's limit.
    for start in range(0, len(items), size):
        yield items[start : start + size]
