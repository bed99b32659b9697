"""The payment ledger and the per-month coverage derived from it.

Payments are never updated or deleted; a correction is a reversal row. After any ledger or
worker change, `recompute_worker_months` rebuilds the affected workers' WorkerMonth rows from
the ledger, so totals always come from the ledger and never from adding file contents.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.contributions.fastpath import recompute_coverage
from kepling.contributions.held import apply_held_cancellations, held_reference
from kepling.contributions.models import Payment, WorkerMonth
from kepling.contributions.tariffs import TariffBook
from kepling.core import audit
from kepling.core.bulk import insert_rows
from kepling.core.periods import month_index
from kepling.regions.queries import mark_summaries_stale
from kepling.workers.models import Worker

BATCH = 2000


@dataclass(frozen=True)
class _Entry:
    day: datetime.date
    order: int
    amount: int


COVERAGE_FIELDS = (
    "worker",
    "periode",
    "periode_index",
    "amount_due",
    "amount_paid",
    "paid_from",
    "paid_until",
    "kelurahan",
)


def _coverage_rows(worker: Worker, month: datetime.date, due: int, entries: list[_Entry]) -> list[tuple[Any, ...]]:
    """Walk one month's payments in the order received; each span where they cover `due` is a row."""
    total, opened = 0, None
    spans: list[tuple[datetime.date | None, datetime.date | None]] = []
    entries = sorted(entries, key=lambda e: (e.day, e.order))
    for position, entry in enumerate(entries):
        total += entry.amount
        same_day_follows = position + 1 < len(entries) and entries[position + 1].day == entry.day
        if same_day_follows:
            continue  # coverage is judged on the day's closing balance
        if total >= due and opened is None:
            opened = entry.day
        elif total < due and opened is not None:
            spans.append((opened, entry.day))
            opened = None
    if opened is not None:
        spans.append((opened, None))
    base = (worker.pk, month, month_index(month), due, total)
    return [(*base, start, end, worker.kelurahan_id) for start, end in spans or [(None, None)]]


def coverage_in_sql() -> bool:
    """Whether coverage is recomputed set-based in the database (PostgreSQL) rather than row by row here."""
    return connection.vendor == "postgresql"


def recompute_worker_months(worker_ids: Iterable[int], *, book: TariffBook | None = None) -> int:
    """Rebuild WorkerMonth rows of these workers from the ledger; returns the rows written."""
    if coverage_in_sql():
        return recompute_coverage(worker_ids, book=book)
    return recompute_worker_months_here(worker_ids, book=book)


def recompute_worker_months_here(worker_ids: Iterable[int], *, book: TariffBook | None = None) -> int:
    """`recompute_worker_months` walking each month's payments in Python (the reference for the SQL)."""
    ids = sorted(set(worker_ids))
    book = book or TariffBook()
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        workers = {w.pk: w for w in Worker.objects.filter(pk__in=chunk)}
        by_month: dict[tuple[int, datetime.date], list[_Entry]] = defaultdict(list)
        payments = Payment.objects.filter(worker_id__in=chunk).values_list(
            "worker_id", "periode", "tanggal_bayar", "id", "jumlah"
        )
        for worker_id, periode, paid_on, pk, amount in payments.iterator(chunk_size=10_000):
            by_month[(worker_id, periode)].append(_Entry(paid_on, pk, amount))
        rows: list[tuple[Any, ...]] = []
        for (worker_id, month), entries in by_month.items():
            w = workers[worker_id]
            due = book.due(
                month=month, program=w.program, sektor=w.sektor, sumber_iuran=w.sumber_iuran, penghasilan=w.penghasilan
            ).total
            rows.extend(_coverage_rows(w, month, due, entries))
        WorkerMonth.objects.filter(worker_id__in=chunk).delete()
        written += insert_rows(WorkerMonth, COVERAGE_FIELDS, rows)
    return written


def refresh_after_ledger_change(worker_ids: Iterable[int], since: datetime.date) -> None:
    """Recompute coverage and mark the workers' lingkungan summaries stale from `since`."""
    ids = set(worker_ids)
    recompute_worker_months(ids)
    lingkungan = Worker.objects.filter(pk__in=ids).values_list("lingkungan_id", flat=True).distinct()
    mark_summaries_stale(lingkungan, since)


def match_registered(workers: Iterable[Worker], *, by: User | None) -> int:
    """Give payments kept for a NIK no one had registered to the workers now registered with it.

    BPJS extracts and registrations arrive in any order. A ledger row's amounts, dates and
    reference never change; its `worker` and `kelurahan` are the resolution of its NIK, filled
    in here once the NIK is registered. Returns the number of payments matched.
    """
    by_hash = {w.nik_hash: w for w in workers}
    hashes = sorted(by_hash)
    matched: dict[int, datetime.date] = {}
    for start in range(0, len(hashes), BATCH):
        waiting = (
            Payment.objects.filter(worker__isnull=True, nik_hash__in=hashes[start : start + BATCH])
            .values_list("nik_hash")
            .annotate(first=Min("tanggal_bayar"), count=Count("id"))
        )
        for nik_hash, first, count in waiting:
            worker = by_hash[nik_hash]
            Payment.objects.filter(worker__isnull=True, nik_hash=nik_hash).update(
                worker_id=worker.pk, kelurahan_id=worker.kelurahan_id, nik_encrypted=""
            )
            matched[worker.pk] = first
            audit.record(
                actor=by,
                action="payments_matched",
                object_type="worker",
                object_id=worker.pk,
                new={"payments": count, "nik_masked": worker.nik_masked},
            )
    if matched:
        recompute_worker_months(matched)
        for worker_id, first in matched.items():
            worker = next(w for w in by_hash.values() if w.pk == worker_id)
            mark_summaries_stale([worker.lingkungan_id], min(first, worker.tanggal_daftar))
    return len(matched)


def earliest_payment(worker_id: int) -> datetime.date | None:
    """The first day any payment of this worker was received (None without payments)."""
    found: datetime.date | None = Payment.objects.filter(worker_id=worker_id).aggregate(d=Min("tanggal_bayar"))["d"]
    return found


def refresh_after_worker_change(worker: Worker, *, since: datetime.date, tariff_changed: bool, moved: bool) -> None:
    """Keep coverage right after a worker's record changed: what is due, and the region key on its rows.

    A change of income, program, sector or payer changes what is due for every month paid, so
    every stored date from the first payment received is affected.
    """
    if moved:
        WorkerMonth.objects.filter(worker_id=worker.pk).update(kelurahan_id=worker.kelurahan_id)
        Payment.objects.filter(worker_id=worker.pk).update(kelurahan_id=worker.kelurahan_id)
    if tariff_changed:
        recompute_worker_months([worker.pk])
        first = earliest_payment(worker.pk)
        if first is not None:
            since = min(since, first)
    mark_summaries_stale([worker.lingkungan_id], since)


@transaction.atomic
def record_payment(
    *,
    by: User | None,
    worker: Worker,
    periode: datetime.date,
    jumlah: int,
    tanggal_bayar: datetime.date,
    referensi: str,
    kpj: str = "",
) -> Payment:
    """Add one payment for a known worker (BPJS is the source: used for single corrections and tests)."""
    if jumlah <= 0:
        raise ValueError(_("The amount must be a positive number of Rupiah."))
    if Payment.objects.filter(referensi=referensi).exists() or held_reference(referensi):
        raise ValueError(_("Payment reference %(ref)s is already in the ledger.") % {"ref": referensi})
    payment = Payment.objects.create(
        worker=worker,
        nik_hash=worker.nik_hash,
        nik_masked=worker.nik_masked,
        kpj=kpj,
        periode=periode.replace(day=1),
        jumlah=jumlah,
        tanggal_bayar=tanggal_bayar,
        referensi=referensi,
        kelurahan_id=worker.kelurahan_id,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="payment_recorded",
        object_type="payment",
        object_id=payment.pk,
        new={
            "worker": worker.pk,
            "periode": payment.periode,
            "jumlah": jumlah,
            "tanggal_bayar": tanggal_bayar,
            "referensi": referensi,
        },
    )
    refresh_after_ledger_change([worker.pk], tanggal_bayar)
    apply_held_cancellations(by=by)  # a cancellation BPJS sent before this payment
    return payment


@transaction.atomic
def reverse_payment(
    *, by: User | None, payment: Payment, on: datetime.date, reason: str, referensi: str = ""
) -> Payment:
    """Cancel a payment with a reversal row dated `on` (reference: BPJS's, or `<ref>#batal`); the original stays."""
    if payment.jumlah <= 0 or payment.reverses_id is not None:
        raise ValueError(_("A reversal cannot itself be reversed."))
    if Payment.objects.filter(reverses=payment).exists():
        raise ValueError(_("This payment has already been reversed."))
    reversal = Payment.objects.create(
        worker_id=payment.worker_id,
        nik_hash=payment.nik_hash,
        nik_encrypted=payment.nik_encrypted,
        nik_masked=payment.nik_masked,
        kpj=payment.kpj,
        periode=payment.periode,
        jumlah=-payment.jumlah,
        tanggal_bayar=on,
        referensi=referensi or f"{payment.referensi}#batal",
        reverses=payment,
        kelurahan_id=payment.kelurahan_id,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="payment_reversed",
        object_type="payment",
        object_id=payment.pk,
        new={"reversal": reversal.pk, "jumlah": reversal.jumlah, "on": on},
        note=reason,
    )
    if payment.worker_id is not None:
        refresh_after_ledger_change([payment.worker_id], on)
    return reversal
