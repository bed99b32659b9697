"""Reads of the worker registry. Every read of personal data goes through these functions,
so scoping is decided in one place: a user sees the workers of their own area only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kepling.accounts.models import User
from kepling.accounts.permissions import may_reveal_nik
from kepling.accounts.scoping import scope_q
from kepling.core import audit
from kepling.core.crypto import decrypt_text, lookup_hash
from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker
from kepling.workers.validation import clean_nik


def workers_for(user: User) -> QuerySet[Worker]:
    """The workers `user` may see (withdrawn ones included)."""
    return Worker.objects.filter(scope_q(user))


def access_worker(user: User, worker_id: object) -> Worker:
    """One worker, or Http404 alike for 'missing' and 'not yours'."""
    try:
        pk = int(str(worker_id))
    except ValueError:
        raise Http404("worker") from None
    worker = workers_for(user).select_related("lingkungan", "credited_kepling").filter(pk=pk).first()
    if worker is None:
        raise Http404("worker")
    return worker


def find_by_nik(user: User, nik: str) -> Worker | None:
    """The worker holding this NIK, if it lies in the user's area (looked up by keyed hash)."""
    cleaned = clean_nik(nik)
    if not cleaned:
        return None
    return workers_for(user).filter(nik_hash=lookup_hash(cleaned)).first()


def reveal_nik(user: User, worker: Worker) -> str:
    """The full NIK of a worker in the user's area; audited as a view of personal data."""
    allowed = workers_for(user).filter(pk=worker.pk).values_list("nik_encrypted", flat=True).first()
    if allowed is None:
        raise Http404("worker")
    if not may_reveal_nik(user, worker):
        raise PermissionDenied("The full NIK is not shown to this role.")
    audit.record(
        actor=user,
        action="nik_revealed",
        object_type="worker",
        object_id=worker.pk,
        new={"nik_masked": worker.nik_masked},
    )
    return decrypt_text(allowed)


def conflicts_for(user: User) -> QuerySet[AttributionConflict]:
    """Attribution conflicts touching the user's area, on the registered or the claiming side."""
    visible = scope_q(user, prefix="worker__") | scope_q(user, prefix="claimant_lingkungan__")
    return AttributionConflict.objects.filter(visible).select_related(
        "worker", "claimant", "claimant_lingkungan", "kelurahan"
    )


def duplicates_for(user: User) -> QuerySet[LikelyDuplicate]:
    """Likely duplicates where either worker lies in the user's area."""
    visible = scope_q(user, prefix="worker__") | scope_q(user, prefix="other__")
    return LikelyDuplicate.objects.filter(visible).select_related("worker", "other", "kelurahan")
