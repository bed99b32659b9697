"""Worker endpoints: scoped lists and details (NIK masked), registration and corrections."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from kepling.accounts.models import User
from kepling.accounts.permissions import may_edit_worker, may_register
from kepling.accounts.scoping import access_wilayah
from kepling.api.auth import caller
from kepling.api.common import ERRORS, audit_view, page, resolve_as_of
from kepling.api.errors import ApiError, problem_details
from kepling.api.schemas import (
    MAX_LIMIT,
    MAX_OFFSET,
    AreaCode,
    ConflictOut,
    ErrorDetail,
    IsoDate,
    MonthOut,
    MonthsOut,
    PaymentOut,
    PaymentsOut,
    RegistrationOut,
    WorkerIn,
    WorkerOut,
    WorkerPage,
    WorkerPatch,
    WorkerStatus,
    WorkerUpdateOut,
)
from kepling.contributions.models import Payment, WorkerMonth
from kepling.contributions.status import standing, with_status
from kepling.workers.actions import WorkerInput, register_worker, update_worker
from kepling.workers.models import Worker
from kepling.workers.queries import access_worker, workers_for
from kepling.workers.validation import Problem, search_key

router = Router(tags=["workers"])


def worker_out(worker: Worker, *, as_of: datetime.date, status: str, paid_months: int, arrears: int) -> WorkerOut:
    return WorkerOut(
        id=worker.pk,
        nik_masked=worker.nik_masked,
        kpj=worker.kpj,
        nama=worker.nama,
        jenis_kelamin=worker.jenis_kelamin,
        tanggal_lahir=worker.tanggal_lahir,
        no_hp=worker.no_hp,
        pekerjaan=worker.pekerjaan,
        sektor=worker.sektor,
        penghasilan=worker.penghasilan,
        program=worker.program,
        sumber_iuran=worker.sumber_iuran,
        tanggal_daftar=worker.tanggal_daftar,
        withdrawn_on=worker.withdrawn_on,
        kode_lingkungan=worker.lingkungan.kode,
        credited_kepling=worker.credited_kepling.username if worker.credited_kepling else None,
        as_of=as_of,
        status=status,  # type: ignore[arg-type]
        paid_months=paid_months,
        arrears_months=arrears,
    )


def standing_out(worker: Worker, as_of: datetime.date) -> WorkerOut:
    """A worker with their status computed for one date."""
    position = standing(worker, as_of)
    return worker_out(
        worker,
        as_of=as_of,
        status=position.status.value,
        paid_months=len(position.paid_months),
        arrears=position.arrears_months,
    )


def details_out(problems: list[Problem]) -> list[ErrorDetail]:
    return [ErrorDetail(field=column, message=message) for column, message in problems]


def ensure_may_register(user: User) -> None:
    if not may_register(user):
        raise PermissionDenied(_("Your role may not register or change workers."))


def ensure_may_edit(user: User, worker: Worker) -> None:
    if not may_edit_worker(user, worker):
        raise PermissionDenied(_("Your role may not register or change workers."))


class WorkerFilters(Schema):
    lingkungan: AreaCode | None = Field(
        None, description="Lingkungan code, e.g. 12.71.01.1001.03; 404 when it is not in your area"
    )
    status: WorkerStatus | None = Field(None, description="Status on the as_of date")
    q: str | None = Field(None, description="Part of the name")
    registered_from: IsoDate | None = None
    registered_to: IsoDate | None = None
    as_of: IsoDate | None = Field(None, description="Date of the status (default today)")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")


@router.get("", response={200: WorkerPage, **ERRORS}, summary="Workers in your area")
def list_workers(request: HttpRequest, filters: Query[WorkerFilters]) -> WorkerPage:
    """Filter by lingkungan code, status as of a date, name (q) and registration dates; NIK masked."""
    user = caller(request)
    day = resolve_as_of(filters.as_of)
    limit, offset = filters.limit, filters.offset
    workers = with_status(workers_for(user).select_related("lingkungan", "credited_kepling"), day)
    if filters.lingkungan:
        workers = workers.filter(lingkungan=access_wilayah(user, filters.lingkungan))
    if filters.status:
        workers = workers.filter(**{"status": filters.status})
    if filters.q and (query := search_key(filters.q)):
        workers = workers.filter(name_key__contains=query)
    if filters.registered_from:
        workers = workers.filter(tanggal_daftar__gte=filters.registered_from)
    if filters.registered_to:
        workers = workers.filter(tanggal_daftar__lte=filters.registered_to)
    count, items = page(workers.order_by("nama", "id"), limit, offset)
    audit_view(user, "worker", ids=[w.pk for w in items], endpoint="GET /api/v1/workers")
    outs = [
        worker_out(w, as_of=day, status=w.status, paid_months=w.paid_months, arrears=w.arrears_months)  # type: ignore[attr-defined]
        for w in items
    ]
    return WorkerPage(count=count, limit=limit, offset=offset, as_of=day, items=outs)


@router.post("", response={200: RegistrationOut, 201: RegistrationOut, **ERRORS}, summary="Register a worker")
def create_worker(request: HttpRequest, payload: WorkerIn) -> Status[RegistrationOut]:
    """Register through the same checks as the web form and the imports.

    201 for a new worker; 200 when the NIK is already registered (here: `already_present`;
    under another Kepling: `conflict`, with the attribution conflict opened for the Lurah).
    """
    user = caller(request)
    ensure_may_register(user)
    values: dict[str, Any] = payload.model_dump(exclude={"consent"})
    outcome = register_worker(by=user, data=WorkerInput(**values), consent_given=payload.consent)
    if outcome.status == "rejected":
        raise ApiError(422, "invalid_data", _("The worker's data is not valid."), problem_details(outcome.errors))
    visible = outcome.worker is not None and workers_for(user).filter(pk=outcome.worker.pk).exists()
    worker = standing_out(outcome.worker, resolve_as_of(None)) if visible and outcome.worker else None
    conflict = outcome.conflict
    body = RegistrationOut(
        status=outcome.status,
        worker=worker,
        warnings=details_out(outcome.warnings),
        conflict=(
            ConflictOut(id=conflict.pk, status=conflict.status, opened_by_this_request=outcome.conflict_opened)
            if conflict is not None
            else None
        ),
        likely_duplicates=[d.pk for d in outcome.likely_duplicates],
    )
    return Status(201 if outcome.status == "registered" else 200, body)


@router.get("/{int:worker_id}", response={200: WorkerOut, **ERRORS}, summary="One worker")
def get_worker(request: HttpRequest, worker_id: int, as_of: Query[IsoDate | None] = None) -> WorkerOut:
    """404 alike for a worker that does not exist and one outside your area."""
    user = caller(request)
    worker = access_worker(user, worker_id)
    audit_view(user, "worker", worker.pk, endpoint="GET /api/v1/workers/{id}")
    return standing_out(worker, resolve_as_of(as_of))


@router.patch("/{int:worker_id}", response={200: WorkerUpdateOut, **ERRORS}, summary="Correct a worker's data")
def patch_worker(request: HttpRequest, worker_id: int, payload: WorkerPatch) -> WorkerUpdateOut:
    """Change the fields sent (never the NIK or the credit); the same checks as registration."""
    user = caller(request)
    worker = access_worker(user, worker_id)
    ensure_may_edit(user, worker)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    warnings = update_worker(by=user, worker=worker, changes=changes)
    worker = access_worker(user, worker.pk)
    return WorkerUpdateOut(worker=standing_out(worker, resolve_as_of(None)), warnings=details_out(warnings))


def month_text(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


@router.get("/{int:worker_id}/months", response={200: MonthsOut, **ERRORS}, summary="A worker's months")
def worker_months(request: HttpRequest, worker_id: int, as_of: Query[IsoDate | None] = None) -> MonthsOut:
    """What was due and paid for each month, whether it is covered on the date, and the status."""
    user = caller(request)
    worker = access_worker(user, worker_id)
    day = resolve_as_of(as_of)
    position = standing(worker, day)
    rows = WorkerMonth.objects.filter(worker=worker).order_by("periode", "paid_from", "id")
    audit_view(user, "worker", worker.pk, endpoint="GET /api/v1/workers/{id}/months")
    latest = position.latest_paid_month
    return MonthsOut(
        worker_id=worker.pk,
        as_of=day,
        status=position.status.value,
        arrears_months=position.arrears_months,
        paid_months=[month_text(m) for m in position.paid_months],
        latest_paid_month=month_text(latest) if latest else None,
        months=[
            MonthOut(
                periode=month_text(row.periode),
                amount_due=row.amount_due,
                amount_paid=row.amount_paid,
                paid_from=row.paid_from,
                paid_until=row.paid_until,
                covered=row.paid_from is not None
                and row.paid_from <= day
                and (row.paid_until is None or row.paid_until > day),
            )
            for row in rows
        ],
    )


@router.get("/{int:worker_id}/payments", response={200: PaymentsOut, **ERRORS}, summary="A worker's payments")
def worker_payments(request: HttpRequest, worker_id: int) -> PaymentsOut:
    """The worker's rows of the payment ledger, reversals included."""
    user = caller(request)
    worker = access_worker(user, worker_id)
    payments = Payment.objects.filter(worker=worker).order_by("periode", "tanggal_bayar", "id")
    audit_view(user, "worker", worker.pk, endpoint="GET /api/v1/workers/{id}/payments")
    return PaymentsOut(
        worker_id=worker.pk,
        items=[
            PaymentOut(
                id=p.pk,
                periode=month_text(p.periode),
                jumlah=p.jumlah,
                tanggal_bayar=p.tanggal_bayar,
                referensi=p.referensi,
                kpj=p.kpj,
                reverses=p.reverses_id,
            )
            for p in payments
        ],
    )
