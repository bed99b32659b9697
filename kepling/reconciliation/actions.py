"""Decisions on mismatch items. Each is one transaction with its audit row; the ledger stays append-only."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.contributions.ledger import record_payment, reverse_payment
from kepling.contributions.models import Payment
from kepling.core import audit
from kepling.core.errors import DomainError
from kepling.reconciliation.models import ItemKind, ItemStatus, ReconciliationItem
from kepling.reconciliation.queries import may_resolve
from kepling.workers.models import Worker
from kepling.workers.queries import workers_for

REFERENCE_LENGTH = Payment._meta.get_field("referensi").max_length or 64
LINK_SUFFIX = "#tautan"


class DecisionError(DomainError):
    """The decision cannot be made; the message says why."""


def _check(by: User, item: ReconciliationItem) -> ReconciliationItem:
    if not may_resolve(by):
        raise PermissionDenied(_("Only the city administrator and BPJS officers decide mismatches."))
    locked = ReconciliationItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != ItemStatus.OPEN:
        raise DecisionError(_("This item has already been decided."))
    return locked


def _close(by: User, item: ReconciliationItem, status: str, resolution: str, note: str) -> ReconciliationItem:
    item.status, item.resolution, item.resolution_note = status, resolution, note
    item.resolved_by, item.resolved_at = by, timezone.now()
    item.save(update_fields=["status", "resolution", "resolution_note", "resolved_by", "resolved_at", "updated_at"])
    audit.record(
        actor=by,
        action=f"reconciliation_{resolution}",
        object_type="reconciliation_item",
        object_id=item.pk,
        new={"kind": item.kind, "key": item.key, "status": status, "worker": item.worker_id},
        note=note,
    )
    return item


def linked_reference(referensi: str) -> str:
    """The reference of the corrective payment: `<ref>#tautan`, shortened with a digest if too long."""
    linked = f"{referensi}{LINK_SUFFIX}"
    if len(linked) <= REFERENCE_LENGTH:
        return linked
    digest = hashlib.sha256(referensi.encode()).hexdigest()[:10]
    keep = REFERENCE_LENGTH - len(LINK_SUFFIX) - len(digest) - 1
    return f"{referensi[:keep]}~{digest}{LINK_SUFFIX}"


@transaction.atomic
def link_payment(*, by: User, item: ReconciliationItem, worker: Worker, note: str = "") -> Payment:
    """Give an unmatched payment to a worker: reverse it and record the same payment for the worker."""
    item = _check(by, item)
    if item.kind != ItemKind.UNMATCHED_PAYMENT or item.payment_id is None:
        raise DecisionError(_("Only a payment for a person not in the registry can be linked to a worker."))
    if not workers_for(by).filter(pk=worker.pk).exists():
        raise DecisionError(_("This worker is not in your area."))
    payment = Payment.objects.get(pk=item.payment_id)
    reason = _("Linked to worker %(worker)s by reconciliation item %(item)d.") % {
        "worker": worker.nik_masked,
        "item": item.pk,
    }
    reverse_payment(by=by, payment=payment, on=timezone.localdate(), reason=reason)
    linked = record_payment(
        by=by,
        worker=worker,
        periode=payment.periode,
        jumlah=payment.jumlah,
        tanggal_bayar=payment.tanggal_bayar,
        referensi=linked_reference(payment.referensi),
        kpj=payment.kpj,
    )
    item.worker = worker
    item.details = {**item.details, "linked_payment": linked.pk}
    item.save(update_fields=["worker", "details"])
    _close(by, item, ItemStatus.RESOLVED, "linked", note or reason)
    return linked


@transaction.atomic
def dismiss_item(*, by: User, item: ReconciliationItem, reason: str) -> ReconciliationItem:
    """Close an item as not a real mismatch; the reason is required."""
    if not reason.strip():
        raise DecisionError(_("Give the reason for dismissing this item."))
    return _close(by, _check(by, item), ItemStatus.DISMISSED, "dismissed", reason.strip())


@transaction.atomic
def mark_corrected(*, by: User, item: ReconciliationItem, note: str) -> ReconciliationItem:
    """Close an item as corrected at its source (BPJS or the registry); the note says what was done."""
    if not note.strip():
        raise DecisionError(_("Say what was corrected."))
    return _close(by, _check(by, item), ItemStatus.RESOLVED, "corrected", note.strip())


@transaction.atomic
def reverse_ledger_payment(*, by: User, referensi: str, reason: str) -> Payment:
    """Cancel a payment BPJS reports as wrong, by its reference (Admin kota, Petugas BPJS); audited, ledger reversal."""
    if not may_resolve(by):
        raise PermissionDenied(_("Only the city administrator and BPJS officers reverse payments."))
    if not reason.strip():
        raise DecisionError(_("Give the reason for reversing this payment."))
    # A NUL can never be in a stored reference (PostgreSQL refuses it in a query): no such payment.
    payment = None if "\x00" in referensi else (
        Payment.objects.select_for_update().filter(referensi=referensi.strip()).first()
    )
    if payment is None:
        raise DecisionError(_("No payment with reference %(ref)s is in the ledger.") % {"ref": referensi.strip()})
    if payment.jumlah <= 0 or payment.reverses_id is not None:
        raise DecisionError(_("A reversal cannot itself be reversed."))
    if Payment.objects.filter(reverses=payment).exists():
        raise DecisionError(_("This payment has already been reversed."))
    return reverse_payment(by=by, payment=payment, on=timezone.localdate(), reason=reason.strip())


@transaction.atomic
def reverse_unmatched_payment(*, by: User, item: ReconciliationItem, reason: str) -> Payment:
    """Cancel a payment no worker of the city should have (e.g. sent to the wrong office): a reversal row, audited."""
    if not reason.strip():
        raise DecisionError(_("Give the reason for reversing this payment."))
    item = _check(by, item)
    if item.kind != ItemKind.UNMATCHED_PAYMENT or item.payment_id is None:
        raise DecisionError(_("Only a payment for a person not in the registry can be reversed here."))
    payment = Payment.objects.get(pk=item.payment_id)
    reversal = reverse_ledger_payment(by=by, referensi=payment.referensi, reason=reason)
    item.details = {**item.details, "reversal_payment": reversal.pk}
    item.save(update_fields=["details"])
    _close(by, item, ItemStatus.RESOLVED, "reversed", reason.strip())
    return reversal
