"""BPJS cancellations that arrive before the payment they cancel: held, then applied when it arrives.

Extracts arrive in any order. A cancellation (`jenis` = `batal`) whose payment the ledger does
not hold yet is kept as a `HeldCancellation`; every write that adds payments (an extract on
either import path, `record_payment`) then calls `apply_held_cancellations` in its own
transaction, which cancels each newly arrived payment through the same ledger reversal, dated
as BPJS dated the cancellation. `cancellation_problem` is the one rule for whether a
cancellation may cancel a payment, whichever arrived first, so the figures do not depend on
the order.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.contributions.models import HeldCancellation, HeldProblem, Payment
from kepling.core import audit
from kepling.core.crypto import encrypt_text, mask_nik


def cancellation_problem(
    original: Payment, *, nik_hash: str, periode: datetime.date, jumlah: int
) -> HeldProblem | None:
    """Why a cancellation of this NIK, month and amount cannot cancel `original` (None: it can)."""
    if (original.nik_hash, original.periode, original.jumlah) != (nik_hash, periode, jumlah):
        return HeldProblem.DIFFERENT_PAYMENT
    if original.jumlah <= 0 or Payment.objects.filter(reverses=original).exists():
        return HeldProblem.ALREADY_CANCELLED
    return None


def same_held(
    held: HeldCancellation,
    *,
    referensi_asal: str,
    nik_hash: str,
    periode: datetime.date,
    jumlah: int,
    tanggal_bayar: datetime.date,
) -> bool:
    """Whether a cancellation row repeats one already held (a file applied twice)."""
    stored = (held.referensi_asal, held.nik_hash, held.periode, held.jumlah, held.tanggal_bayar)
    return stored == (referensi_asal, nik_hash, periode, jumlah, tanggal_bayar)


def hold_cancellation(
    *,
    by: User | None,
    referensi: str,
    referensi_asal: str,
    nik: str,
    nik_hash: str,
    kpj: str,
    periode: datetime.date,
    jumlah: int,
    tanggal_bayar: datetime.date,
    source: str,
    batch: str = "",
) -> HeldCancellation:
    """Keep a cancellation until the payment it names arrives (in the caller's transaction), audited."""
    held = HeldCancellation.objects.create(
        referensi=referensi,
        referensi_asal=referensi_asal,
        nik_hash=nik_hash,
        nik_encrypted=encrypt_text(nik),
        nik_masked=mask_nik(nik),
        kpj=kpj,
        periode=periode,
        jumlah=jumlah,
        tanggal_bayar=tanggal_bayar,
        source=source[:200],
        import_batch=batch,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="cancellation_held",
        object_type="held_cancellation",
        object_id=held.pk,
        new={
            "referensi": referensi,
            "referensi_asal": referensi_asal,
            "periode": periode,
            "jumlah": jumlah,
            "tanggal_bayar": tanggal_bayar,
            "nik_masked": held.nik_masked,
        },
        note=source,
    )
    return held


def held_reference(referensi: str) -> bool:
    """Whether a held cancellation already carries this reference (a payment may not take it)."""
    return HeldCancellation.objects.filter(referensi=referensi).exists()


def apply_held_cancellations(*, by: User | None) -> int:
    """Cancel every payment that arrived for a held cancellation, in the caller's transaction; returns how many.

    A held cancellation that does not fit the payment that arrived stays held, with the reason,
    for the reconciliation queue (the same row arriving after its payment would be rejected).
    """
    from kepling.contributions.ledger import reverse_payment

    arrived = Exists(Payment.objects.filter(referensi=OuterRef("referensi_asal")))
    waiting = HeldCancellation.objects.filter(arrived, problem="").order_by("id").select_for_update()
    applied = 0
    for held in waiting:
        original = Payment.objects.get(referensi=held.referensi_asal)
        problem = cancellation_problem(original, nik_hash=held.nik_hash, periode=held.periode, jumlah=held.jumlah)
        if problem is not None:
            held.problem = problem
            held.save(update_fields=["problem"])
            continue
        reason = _("Cancelled by BPJS (%(source)s), held until payment %(ref)s arrived.") % {
            "source": held.source,
            "ref": held.referensi_asal,
        }
        reverse_payment(by=by, payment=original, on=held.tanggal_bayar, reason=reason, referensi=held.referensi)
        held.delete()
        applied += 1
    return applied
