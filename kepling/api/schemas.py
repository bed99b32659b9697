"""Typed request and response bodies of the API (the OpenAPI document is generated from these)."""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from kepling.core.identifiers import ascii_identifier
from kepling.core.params import is_area_code


def _iso_date(value: object) -> object:
    # pydantic would also take a number as a Unix time; dates here are written YYYY-MM-DD only.
    if isinstance(value, datetime.date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise PydanticCustomError("date_format", "Write the date as YYYY-MM-DD.")


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]


def _area_code(value: object) -> object:
    # Digits of any script are the same code (core.identifiers); anything not shaped like a code is refused.
    code = ascii_identifier(value.strip()) if isinstance(value, str) else ""
    if not is_area_code(code):
        raise PydanticCustomError("area_code", "Give an area code such as 12.71.01.1001.03.")
    return code


AreaCode = Annotated[str, BeforeValidator(_area_code)]

Tingkat = Literal["kota", "kecamatan", "kelurahan", "lingkungan"]
WorkerStatus = Literal["never_paid", "active", "in_arrears", "inactive"]
RegistrationStatus = Literal["registered", "already_present", "conflict"]


class ErrorDetail(Schema):
    field: str = Field(description="The field or column the problem is about; empty for the request as a whole.")
    message: str


class ErrorBody(Schema):
    code: str = Field(description="A stable, machine-readable code, e.g. validation_error, not_found.")
    message: str = Field(description="What went wrong, in the user's language (Indonesian by default).")
    details: list[ErrorDetail]


class ErrorOut(Schema):
    error: ErrorBody


MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Items per page")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")


class Page(Schema):
    count: int = Field(description="How many items match, over all pages.")
    limit: int
    offset: int


# --- wilayah ---------------------------------------------------------------------------------


class WilayahOut(Schema):
    kode: str
    nama: str
    tingkat: str
    parent_kode: str | None
    target: int | None


class WilayahPage(Page):
    items: list[WilayahOut]


class WilayahRef(Schema):
    kode: str
    nama: str
    tingkat: str


class SummaryOut(Schema):
    as_of: datetime.date
    wilayah: WilayahRef
    target: int
    registered: int
    protected: int
    remaining: int
    progress_pct: float | None
    kepling_shortfall: int
    paid_one_month_only: int
    never_paid: int
    active: int
    in_arrears: int
    inactive: int
    labour_force: int | None
    bpjs_active_participants: int | None
    coverage_pct: float | None
    kecamatan: int
    kelurahan: int
    lingkungan: int


# --- workers ---------------------------------------------------------------------------------


class WorkerOut(Schema):
    id: int
    nik_masked: str = Field(description="The NIK with its middle digits hidden; the full NIK is never sent.")
    kpj: str
    nama: str
    jenis_kelamin: str
    tanggal_lahir: datetime.date
    no_hp: str
    pekerjaan: str
    sektor: str
    penghasilan: int
    program: str
    sumber_iuran: str
    tanggal_daftar: datetime.date
    withdrawn_on: datetime.date | None
    kode_lingkungan: str
    credited_kepling: str | None = Field(description="Username of the Kepling credited with the registration.")
    as_of: datetime.date
    status: WorkerStatus
    paid_months: int
    arrears_months: int


class WorkerPage(Page):
    as_of: datetime.date
    items: list[WorkerOut]


class WorkerIn(Schema):
    """A worker to register (the contract's worker columns) with the worker's consent."""

    model_config = ConfigDict(extra="forbid")

    nik: str = Field(max_length=40)
    nama: str = Field(max_length=200)
    jenis_kelamin: str = Field(max_length=20, description="L or P")
    tanggal_lahir: IsoDate
    no_hp: str = Field("", max_length=30)
    kode_lingkungan: str = Field(max_length=40)
    pekerjaan: str = Field(max_length=200)
    sektor: str = Field(max_length=20, description="transportasi or lainnya")
    penghasilan: int = Field(ge=0, le=1_000_000_000, description="Declared monthly income in Rupiah")
    program: str = Field(max_length=20, description="JKK-JKM or JKK-JKM-JHT")
    sumber_iuran: str = Field(max_length=10, description="mandiri, donatur, csr, apbd or apbn")
    tanggal_daftar: IsoDate
    kepling: str = Field("", max_length=150, description="Username of the Kepling to credit (optional)")
    consent: bool = Field(description="The worker agreed to the processing of their personal data.")


class WorkerPatch(Schema):
    """Corrections to a registered worker; the NIK and the credit cannot be changed here."""

    model_config = ConfigDict(extra="forbid")

    nama: str | None = Field(None, max_length=200)
    jenis_kelamin: str | None = Field(None, max_length=20)
    tanggal_lahir: IsoDate | None = None
    no_hp: str | None = Field(None, max_length=30)
    kode_lingkungan: str | None = Field(None, max_length=40)
    pekerjaan: str | None = Field(None, max_length=200)
    sektor: str | None = Field(None, max_length=20)
    penghasilan: int | None = Field(None, ge=0, le=1_000_000_000)
    program: str | None = Field(None, max_length=20)
    sumber_iuran: str | None = Field(None, max_length=10)
    tanggal_daftar: IsoDate | None = None


class ConflictOut(Schema):
    id: int
    status: str
    opened_by_this_request: bool


class RegistrationOut(Schema):
    status: RegistrationStatus = Field(
        description=(
            "registered: a new worker. already_present: this NIK is already registered here. "
            "conflict: the NIK is registered under another Kepling; an attribution conflict is open."
        )
    )
    worker: WorkerOut | None = Field(description="The worker, when it lies in your area.")
    warnings: list[ErrorDetail]
    conflict: ConflictOut | None
    likely_duplicates: list[int] = Field(description="Ids of the likely-duplicate review items opened.")


class WorkerUpdateOut(Schema):
    worker: WorkerOut
    warnings: list[ErrorDetail]


class MonthOut(Schema):
    periode: str = Field(description="YYYY-MM")
    amount_due: int
    amount_paid: int
    paid_from: datetime.date | None
    paid_until: datetime.date | None
    covered: bool = Field(description="Whether this row covers the month on the as_of date.")


class MonthsOut(Schema):
    worker_id: int
    as_of: datetime.date
    status: WorkerStatus
    arrears_months: int
    paid_months: list[str] = Field(description="Months paid as of the date, YYYY-MM.")
    latest_paid_month: str | None
    months: list[MonthOut]


class PaymentOut(Schema):
    id: int
    periode: str
    jumlah: int
    tanggal_bayar: datetime.date
    referensi: str
    kpj: str
    reverses: int | None = Field(description="Id of the payment this row reverses.")


class PaymentsOut(Schema):
    worker_id: int
    items: list[PaymentOut]


# --- imports ---------------------------------------------------------------------------------


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    rows: int
    applied: int
    already_present: int
    rejected: int
    errors: list[RowErrorOut]
    warnings: list[RowErrorOut]
    extra: dict[str, Any] = Field(description="Counts particular to the kind of import (e.g. conflicts).")


# --- reconciliation --------------------------------------------------------------------------


class UnmatchedPaymentOut(Schema):
    id: int
    nik_masked: str
    kpj: str
    periode: str
    jumlah: int
    tanggal_bayar: datetime.date
    referensi: str


class ReversalIn(Schema):
    referensi: str = Field(..., description="BPJS's reference of the payment to cancel")
    reason: str = Field(..., description="Why it is cancelled (kept in the audit log)")


class ReversalOut(Schema):
    referensi: str = Field(..., description="The reference of the reversal row added to the ledger")
    reverses: str
    periode: str
    jumlah: int
    tanggal_bayar: datetime.date


class UnmatchedPaymentPage(Page):
    items: list[UnmatchedPaymentOut]


class UnderpaidOut(Schema):
    worker_id: int
    nama: str
    nik_masked: str
    kode_lingkungan: str
    periode: str
    amount_due: int
    amount_paid: int
    shortfall: int


class UnderpaidPage(Page):
    items: list[UnderpaidOut]


# --- tokens ----------------------------------------------------------------------------------


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    username: str | None = Field(
        None, max_length=150, description="Create the token for this user (city administrator only)."
    )


class TokenOut(Schema):
    id: int
    name: str
    username: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class NewTokenOut(TokenOut):
    key: str = Field(description="The key itself. It is shown only once: store it now.")


class ImportJobOut(Schema):
    id: int
    kind: str
    original_name: str
    status: str = Field(description="uploaded, validated, running, done or failed")
    rows_total: int
    rows_done: int
    percent_done: int
    message: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    result: dict[str, Any] | None = Field(description="The import's counts once applied (rows, applied, ...).")
