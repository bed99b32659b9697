"""Decisions on the review queues: who keeps the credit for a NIK claimed twice, and whether two
registrations are the same person. Only a Lurah, Camat or Admin kota over both sides decides.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.accounts.permissions import may_decide
from kepling.core import audit
from kepling.core.errors import AlreadyDecidedError, NoClaimantError
from kepling.regions.models import Wilayah
from kepling.regions.queries import mark_summaries_stale
from kepling.workers.models import AttributionConflict, DecisionStatus, LikelyDuplicate, Worker
from kepling.workers.validation import InvalidWorkerDataError


def _ensure_decider(by: User, nodes: list[Wilayah]) -> None:
    """A Lurah, Camat or Admin kota whose area holds every lingkungan involved."""
    if not may_decide(by):
        raise PermissionDenied(_("Only a Lurah, a Camat or a city administrator may decide this."))
    if not may_decide(by, nodes):
        raise PermissionDenied(_("This case lies outside your area."))


@transaction.atomic
def resolve_attribution_conflict(
    *, by: User, conflict: AttributionConflict, transfer: bool, reason: str
) -> AttributionConflict:
    """Decide who keeps the credit for a worker: the first registration, or the claimant."""
    locked = (
        AttributionConflict.objects.select_for_update(of=("self",))
        .select_related("worker__lingkungan", "claimant_lingkungan", "claimant")
        .get(pk=conflict.pk)
    )
    _ensure_decider(by, [locked.worker.lingkungan, locked.claimant_lingkungan])
    _ensure_open(locked.status, reason)
    worker = Worker.objects.select_for_update().get(pk=locked.worker_id)
    if transfer:
        if locked.claimant is None:
            raise NoClaimantError(_("The claim names no Kepling to transfer the credit to."))
        old_credit = worker.credited_kepling.username if worker.credited_kepling else None
        worker.credited_kepling = locked.claimant
        worker.save(update_fields=["credited_kepling", "updated_at"])
        audit.record(
            actor=by,
            action="worker_credit_transferred",
            object_type="worker",
            object_id=worker.pk,
            old={"credited_kepling": old_credit},
            new={"credited_kepling": locked.claimant.username},
            note=reason,
        )
        mark_summaries_stale([worker.lingkungan_id], worker.tanggal_daftar)
    locked.status = DecisionStatus.TRANSFERRED if transfer else DecisionStatus.KEPT
    _decide(by, locked, reason)
    audit.record(
        actor=by,
        action="attribution_conflict_decided",
        object_type="attribution_conflict",
        object_id=locked.pk,
        old={"status": DecisionStatus.OPEN.value},
        new={"status": locked.status},
        note=reason,
    )
    conflict.status, conflict.decided_by, conflict.decided_at = locked.status, by, locked.decided_at
    conflict.reason = locked.reason
    return locked


def _ensure_open(status: str, reason: str) -> None:
    if status != DecisionStatus.OPEN:
        raise AlreadyDecidedError(_("This case has already been decided."))
    if not reason.strip():
        raise InvalidWorkerDataError([("reason", _("Give the reason for the decision."))])


def _decide(by: User, item: AttributionConflict | LikelyDuplicate, reason: str) -> None:
    item.decided_by = by
    item.decided_at = timezone.now()
    item.reason = reason.strip()
    item.save(update_fields=["status", "decided_by", "decided_at", "reason"])


@transaction.atomic
def resolve_likely_duplicate(*, by: User, item: LikelyDuplicate, is_duplicate: bool, reason: str) -> LikelyDuplicate:
    """Record whether two registrations are the same person (withdrawing one is a separate step)."""
    locked = (
        LikelyDuplicate.objects.select_for_update(of=("self",))
        .select_related("worker__lingkungan", "other__lingkungan")
        .get(pk=item.pk)
    )
    _ensure_decider(by, [locked.worker.lingkungan, locked.other.lingkungan])
    _ensure_open(locked.status, reason)
    locked.status = DecisionStatus.DUPLICATE if is_duplicate else DecisionStatus.NOT_DUPLICATE
    _decide(by, locked, reason)
    audit.record(
        actor=by,
        action="likely_duplicate_decided",
        object_type="likely_duplicate",
        object_id=locked.pk,
        old={"status": DecisionStatus.OPEN.value},
        new={"status": locked.status},
        note=reason,
    )
    item.status, item.decided_by, item.decided_at, item.reason = (
        locked.status,
        by,
        locked.decided_at,
        locked.reason,
    )
    return locked
