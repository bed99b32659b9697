"""Reconciliation: payments with no worker and months paid short (read), and reversing a payment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from kepling.accounts.permissions import may_view_unmatched_payments
from kepling.accounts.scoping import scope_q
from kepling.api.auth import caller
from kepling.api.common import ERRORS, audit_view, page
from kepling.api.errors import ApiError
from kepling.api.schemas import (
    PageParams,
    ReversalIn,
    ReversalOut,
    UnderpaidOut,
    UnderpaidPage,
    UnmatchedPaymentOut,
    UnmatchedPaymentPage,
)
from kepling.contributions.models import Payment, WorkerMonth
from kepling.reconciliation.actions import DecisionError, reverse_ledger_payment

router = Router(tags=["reconciliation"])


@router.get("/unmatched-payments", response={200: UnmatchedPaymentPage, **ERRORS}, summary="Payments for unknown NIKs")
def unmatched_payments(request: HttpRequest, paging: Query[PageParams]) -> UnmatchedPaymentPage:
    """City-wide roles only (Admin kota, Petugas BPJS, Pimpinan): these rows have no area yet."""
    user = caller(request)
    if not may_view_unmatched_payments(user):
        raise PermissionDenied(_("Only city-wide roles see payments that match no worker."))
    limit, offset = paging.limit, paging.offset
    rows = Payment.objects.filter(worker__isnull=True).order_by("tanggal_bayar", "id")
    count, items = page(rows, limit, offset)
    audit_view(user, "payment", ids=[p.pk for p in items], endpoint="GET /api/v1/reconciliation/unmatched-payments")
    return UnmatchedPaymentPage(
        count=count,
        limit=limit,
        offset=offset,
        items=[
            UnmatchedPaymentOut(
                id=p.pk,
                nik_masked=p.nik_masked,
                kpj=p.kpj,
                periode=f"{p.periode:%Y-%m}",
                jumlah=p.jumlah,
                tanggal_bayar=p.tanggal_bayar,
                referensi=p.referensi,
            )
            for p in items
        ],
    )


@router.get("/underpaid", response={200: UnderpaidPage, **ERRORS}, summary="Months paid short")
def underpaid(request: HttpRequest, paging: Query[PageParams]) -> UnderpaidPage:
    """Worker months in your area with something paid, but less than what is due."""
    user = caller(request)
    limit, offset = paging.limit, paging.offset
    rows = (
        WorkerMonth.objects.filter(scope_q(user, prefix="worker__"), amount_paid__gt=0, amount_paid__lt=F("amount_due"))
        .select_related("worker", "worker__lingkungan")
        .order_by("worker__lingkungan__kode", "worker__nama", "periode", "id")
    )
    count, items = page(rows, limit, offset)
    worker_ids = sorted({m.worker_id for m in items})
    audit_view(user, "worker", ids=worker_ids, endpoint="GET /api/v1/reconciliation/underpaid")
    return UnderpaidPage(
        count=count,
        limit=limit,
        offset=offset,
        items=[
            UnderpaidOut(
                worker_id=m.worker_id,
                nama=m.worker.nama,
                nik_masked=m.worker.nik_masked,
                kode_lingkungan=m.worker.lingkungan.kode,
                periode=f"{m.periode:%Y-%m}",
                amount_due=m.amount_due,
                amount_paid=m.amount_paid,
                shortfall=m.amount_due - m.amount_paid,
            )
            for m in items
        ],
    )


@router.post("/reversals", response={201: ReversalOut, **ERRORS}, summary="Reverse a payment")
def reverse(request: HttpRequest, body: ReversalIn) -> Status[ReversalOut]:
    """Admin kota and Petugas BPJS: cancel a payment by its reference with a ledger reversal (audited)."""
    try:
        reversal = reverse_ledger_payment(by=caller(request), referensi=body.referensi, reason=body.reason)
    except DecisionError as error:
        raise ApiError(422, "validation_error", str(error), [{"field": "referensi", "message": str(error)}]) from None
    return Status(
        201,
        ReversalOut(
            referensi=reversal.referensi,
            reverses=body.referensi.strip(),
            periode=f"{reversal.periode:%Y-%m}",
            jumlah=reversal.jumlah,
            tanggal_bayar=reversal.tanggal_bayar,
        ),
    )
