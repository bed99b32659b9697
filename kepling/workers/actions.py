"""Writes to the worker registry. Each action is one transaction and writes its audit rows in it.

`register_worker` is the one way a worker enters the registry, from the web form, the API and
(through `kepling.workers.bulk.register_workers_bulk`) every import.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import Role, User
from kepling.accounts.permissions import in_area, may_correct_worker, may_edit_worker, may_move_worker
from kepling.contributions.ledger import match_registered, refresh_after_worker_change
from kepling.core import audit
from kepling.core.crypto import decrypt_text, encrypt_text, lookup_hash, mask_nik
from kepling.core.errors import NotEditableError
from kepling.regions.models import Wilayah
from kepling.regions.queries import kepling_in_office, mark_summaries_stale
from kepling.workers.decisions import resolve_attribution_conflict, resolve_likely_duplicate
from kepling.workers.models import AttributionConflict, DecisionStatus, LikelyDuplicate, SubmissionKey, Worker
from kepling.workers.references import References
from kepling.workers.validation import (
    CleanWorker,
    InvalidWorkerDataError,
    Problem,
    WorkerInput,
    check_worker,
)

__all__ = [
    "InvalidWorkerDataError",
    "RegistrationOutcome",
    "WorkerInput",
    "move_worker",
    "register_worker",
    "register_worker_once",
    "reinstate_worker",
    "resolve_attribution_conflict",
    "resolve_likely_duplicate",
    "update_worker",
    "withdraw_worker",
]

Status = Literal["registered", "already_present", "conflict", "rejected"]
# What is due for a month depends on these (kepling.contributions.tariffs).
TARIFF_FIELDS = {"penghasilan", "program", "sektor", "sumber_iuran"}
EDITABLE_FIELDS = (
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "no_hp",
    "kode_lingkungan",
    "pekerjaan",
    "sektor",
    "penghasilan",
    "program",
    "sumber_iuran",
    "tanggal_daftar",
)


@dataclass
class RegistrationOutcome:
    """What happened to one submitted worker.

    `registered`: a new worker. `already_present`: this NIK is already registered here, nothing
    changed. `conflict`: the NIK is registered elsewhere; an attribution conflict is open (see
    `conflict_opened` for whether this submission opened it). `rejected`: see `errors`.
    """

    status: Status
    worker: Worker | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    conflict: AttributionConflict | None = None
    conflict_opened: bool = False
    likely_duplicates: list[LikelyDuplicate] = field(default_factory=list)


def consent_error() -> Problem:
    """The problem reported when a registration arrives without the worker's consent."""
    return (
        "consent",
        _("The worker's consent to the processing of their personal data is required."),
    )


@transaction.atomic
def register_worker(
    *, by: User | None, data: WorkerInput, consent_given: bool, refs: References | None = None
) -> RegistrationOutcome:
    """Check and register one worker, or report why not (duplicates become conflicts or flags)."""
    if not consent_given:
        return RegistrationOutcome("rejected", errors=[consent_error()])
    checked = check_worker(data, refs or References(by))
    if checked.clean is None:
        return RegistrationOutcome("rejected", errors=checked.errors, warnings=checked.warnings)
    clean = checked.clean
    credit = credit_for(by, clean, lambda: kepling_in_office(clean.lingkungan, clean.tanggal_daftar))
    nik_hash = lookup_hash(clean.nik)
    existing = Worker.objects.select_for_update().filter(nik_hash=nik_hash).first()
    if existing is None:
        values = worker_values(by=by, clean=clean, credit=credit, nik_hash=nik_hash, now=timezone.now())
        worker = Worker(**values)
        try:
            with transaction.atomic():
                worker.save()
        except IntegrityError:
            # Someone registered the same NIK a moment ago: treat it as the duplicate it is.
            existing = Worker.objects.get(nik_hash=nik_hash)
    if existing is not None:
        outcome = handle_existing(by=by, worker=existing, clean=clean, credit=credit)
        outcome.warnings = checked.warnings + outcome.warnings
        return outcome
    audit.record(
        actor=by,
        action="worker_registered",
        object_type="worker",
        object_id=worker.pk,
        new=registration_audit_values(values, clean, credit),
    )
    duplicates = open_likely_duplicates(by=by, worker=worker)
    mark_summaries_stale([worker.lingkungan_id], worker.tanggal_daftar)
    match_registered([worker], by=by)
    warnings = checked.warnings + ([likely_duplicate_warning()] if duplicates else [])
    return RegistrationOutcome("registered", worker, warnings=warnings, likely_duplicates=duplicates)


def likely_duplicate_warning() -> Problem:
    """Told to whoever registers a worker whose name and birth date are already registered."""
    return (
        "nama",
        _(
            "A worker with the same name and birth date is registered under another NIK; "
            "both are kept and flagged for the Lurah to check."
        ),
    )


def credit_for(by: User | None, clean: CleanWorker, in_office: Callable[[], User | None]) -> User | None:
    """The Kepling credited: the one named, else the registering Kepling, else the one in office."""
    if clean.kepling is not None:
        return clean.kepling
    if by is not None and by.role == Role.KEPLING:
        return by
    return in_office()


def worker_values(
    *, by: User | None, clean: CleanWorker, credit: User | None, nik_hash: str, now: datetime.datetime
) -> dict[str, Any]:
    """A new worker's columns: the NIK protected, consent recorded, ancestors copied."""
    lingkungan = clean.lingkungan
    assert lingkungan.kelurahan_id and lingkungan.kecamatan_id and lingkungan.kota_id
    by_id = by.pk if by is not None and by.pk else None
    return {
        "nik_hash": nik_hash,
        "nik_encrypted": encrypt_text(clean.nik),
        "nik_masked": mask_nik(clean.nik),
        "nama": clean.nama,
        "name_key": clean.name_key,
        "jenis_kelamin": clean.jenis_kelamin,
        "tanggal_lahir": clean.tanggal_lahir,
        "no_hp": clean.no_hp,
        "pekerjaan": clean.pekerjaan,
        "sektor": clean.sektor,
        "penghasilan": clean.penghasilan,
        "program": clean.program,
        "sumber_iuran": clean.sumber_iuran,
        "tanggal_daftar": clean.tanggal_daftar,
        "lingkungan_id": lingkungan.pk,
        "kelurahan_id": lingkungan.kelurahan_id,
        "kecamatan_id": lingkungan.kecamatan_id,
        "kota_id": lingkungan.kota_id,
        "credited_kepling_id": credit.pk if credit is not None else None,
        "registered_by_id": by_id,
        "consent_at": now,
        "consent_by_id": by_id,
        "consent_version": settings.CONSENT_TEXT_VERSION,
    }


def registration_audit_values(values: dict[str, Any], clean: CleanWorker, credit: User | None) -> dict[str, Any]:
    """What the audit log keeps of a registration: the masked NIK, never the NIK itself."""
    return {
        "nik_masked": values["nik_masked"],
        "lingkungan": clean.lingkungan.kode,
        "credited_kepling": credit.username if credit is not None else None,
        "tanggal_daftar": clean.tanggal_daftar.isoformat(),
        "program": clean.program,
        "sumber_iuran": clean.sumber_iuran,
        "consent_version": values["consent_version"],
    }


def handle_existing(*, by: User | None, worker: Worker, clean: CleanWorker, credit: User | None) -> RegistrationOutcome:
    """A NIK already registered: the same claim is a no-op, another claim opens a conflict."""
    if claims_the_same(worker, clean, credit):
        return RegistrationOutcome("already_present", worker)
    conflict = AttributionConflict.objects.filter(
        worker=worker, claimant_lingkungan=clean.lingkungan, status=DecisionStatus.OPEN
    ).first()
    opened = conflict is None
    if conflict is None:
        conflict = open_conflict(by=by, worker=worker, clean=clean, credit=credit)
    return RegistrationOutcome(
        "conflict", worker, warnings=[conflict_warning()], conflict=conflict, conflict_opened=opened
    )


def claims_the_same(worker: Worker, clean: CleanWorker, credit: User | None) -> bool:
    """A submission of a registered NIK changes nothing when it names the same lingkungan and
    either no Kepling, the credited one, or a worker not yet credited to anyone."""
    same_place = worker.lingkungan_id == clean.lingkungan.pk
    return same_place and (credit is None or worker.credited_kepling_id in (None, credit.pk))


def conflict_warning() -> Problem:
    """Told to whoever submits a NIK that is already registered under another Kepling."""
    return (
        "nik",
        _(
            "This NIK is already registered under another Kepling; the first registration "
            "keeps the credit until the Lurah decides the attribution conflict."
        ),
    )


def open_conflict(*, by: User | None, worker: Worker, clean: CleanWorker, credit: User | None) -> AttributionConflict:
    """Record a second claim on a registered NIK, for a Lurah (or above) to decide."""
    submitted = {
        "nama": clean.nama,
        "kode_lingkungan": clean.lingkungan.kode,
        "tanggal_daftar": clean.tanggal_daftar.isoformat(),
        "kepling": credit.username if credit else None,
        "submitted_by": by.username if by is not None else None,
    }
    conflict = AttributionConflict.objects.create(
        worker=worker,
        claimant=credit,
        claimant_lingkungan=clean.lingkungan,
        kelurahan_id=worker.kelurahan_id,
        claimed_on=clean.tanggal_daftar,
        submitted=submitted,
    )
    audit.record(
        actor=by,
        action="attribution_conflict_opened",
        object_type="attribution_conflict",
        object_id=conflict.pk,
        new={
            "worker": worker.pk,
            "nik_masked": worker.nik_masked,
            "credited_kepling": worker.credited_kepling_id,
            "claimant": submitted["kepling"],
            "claimant_lingkungan": clean.lingkungan.kode,
        },
    )
    return conflict


def open_likely_duplicates(*, by: User | None, worker: Worker) -> list[LikelyDuplicate]:
    """Flag other workers with the same name and birth date (under another NIK) for review."""
    others = (
        active_namesakes()
        .filter(name_key=worker.name_key, tanggal_lahir=worker.tanggal_lahir)
        .exclude(pk=worker.pk)
        .values_list("pk", flat=True)
    )
    known = set(LikelyDuplicate.objects.filter(worker=worker).values_list("other_id", flat=True)) | set(
        LikelyDuplicate.objects.filter(other=worker).values_list("worker_id", flat=True)
    )
    flagged = []
    for other_id in others:
        if other_id in known:
            continue
        item = LikelyDuplicate.objects.create(worker=worker, other_id=other_id, kelurahan_id=worker.kelurahan_id)
        audit.record(
            actor=by,
            action="likely_duplicate_opened",
            object_type="likely_duplicate",
            object_id=item.pk,
            new=likely_duplicate_audit_values(item),
        )
        flagged.append(item)
    return flagged


def active_namesakes() -> QuerySet[Worker]:
    """Whom a new worker may duplicate: workers still on the register (a withdrawn one is not flagged)."""
    return Worker.objects.filter(withdrawn_on__isnull=True)


def likely_duplicate_audit_values(item: LikelyDuplicate) -> dict[str, int]:
    return {"worker": item.worker_id, "other": item.other_id}


def _ensure_may_change(by: User, worker: Worker) -> Worker:
    """The worker, locked, if `by` may change it; the same 404 as reads otherwise."""
    from kepling.workers.queries import workers_for

    if not may_edit_worker(by):
        raise PermissionDenied(_("Your role may not change workers."))
    locked = workers_for(by).select_for_update().filter(pk=worker.pk).first()
    if locked is None:
        from django.http import Http404

        raise Http404("worker")
    return locked


def _current_input(worker: Worker) -> WorkerInput:
    return WorkerInput(
        nik=decrypt_text(worker.nik_encrypted),
        nama=worker.nama,
        jenis_kelamin=worker.jenis_kelamin,
        tanggal_lahir=worker.tanggal_lahir,
        no_hp=worker.no_hp,
        kode_lingkungan=worker.lingkungan.kode,
        pekerjaan=worker.pekerjaan,
        sektor=worker.sektor,
        penghasilan=worker.penghasilan,
        program=worker.program,
        sumber_iuran=worker.sumber_iuran,
        tanggal_daftar=worker.tanggal_daftar,
        lingkungan=worker.lingkungan,
    )


def _editable_values(worker: Worker) -> dict[str, Any]:
    values = {name: getattr(worker, name) for name in EDITABLE_FIELDS if name != "kode_lingkungan"}
    values["kode_lingkungan"] = worker.lingkungan.kode
    return values


@transaction.atomic
def update_worker(*, by: User, worker: Worker, changes: Mapping[str, Any], reason: str = "") -> list[Problem]:
    """Correct a worker's data (never the NIK or the credit); returns the warnings of the checks."""
    if "nik" in changes:
        raise InvalidWorkerDataError(
            [
                (
                    "nik",
                    _("The NIK cannot be changed: withdraw this worker and register the right NIK."),
                )
            ]
        )
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise NotEditableError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)})
    locked = _ensure_may_change(by, worker)
    before = _editable_values(locked)
    old_lingkungan_id = locked.lingkungan_id
    data = replace(_current_input(locked), **dict(changes))
    if "kode_lingkungan" in changes:
        data.lingkungan = None
    checked = check_worker(data, References(by))
    if checked.clean is None:
        raise InvalidWorkerDataError(checked.errors, checked.warnings)
    _apply_clean(locked, checked.clean)
    old, new = audit.changed_fields(before, _editable_values(locked))
    if not new:
        return checked.warnings
    locked.save()
    audit.record(
        actor=by,
        action="worker_updated",
        object_type="worker",
        object_id=locked.pk,
        old=old,
        new=new,
        note=reason.strip(),
    )
    since = min(before["tanggal_daftar"], locked.tanggal_daftar)
    mark_summaries_stale({locked.lingkungan_id, old_lingkungan_id}, since)
    refresh_after_worker_change(
        locked,
        since=since,
        tariff_changed=bool(TARIFF_FIELDS & new.keys()),
        moved=locked.lingkungan_id != old_lingkungan_id,
    )
    if {"nama", "tanggal_lahir"} & new.keys():
        open_likely_duplicates(by=by, worker=locked)
    _copy_to(worker, locked)
    return checked.warnings


def _apply_clean(worker: Worker, clean: CleanWorker) -> None:
    for name in (
        "nama",
        "name_key",
        "jenis_kelamin",
        "tanggal_lahir",
        "no_hp",
        "pekerjaan",
        "sektor",
        "penghasilan",
        "program",
        "sumber_iuran",
        "tanggal_daftar",
    ):
        setattr(worker, name, getattr(clean, name))
    node = clean.lingkungan
    worker.lingkungan = node
    assert node.kelurahan_id and node.kecamatan_id and node.kota_id
    worker.kelurahan_id = node.kelurahan_id
    worker.kecamatan_id = node.kecamatan_id
    worker.kota_id = node.kota_id


def _copy_to(target: Worker, source: Worker) -> None:
    # Callers keep their own instance; give it the saved values so it is not stale.
    for model_field in Worker._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))


@transaction.atomic
def withdraw_worker(*, by: User, worker: Worker, reason: str, on: datetime.date | None = None) -> None:
    """Take a worker out of the registry's counts from `on`, today by default (the record and its history stay)."""
    on = on or timezone.localdate()
    locked = _ensure_may_change(by, worker)
    if locked.withdrawn_on is not None:
        return
    if on < locked.tanggal_daftar or on > timezone.localdate():
        raise InvalidWorkerDataError(
            [
                (
                    "withdrawn_on",
                    _("The withdrawal date must be between the registration date and today."),
                )
            ]
        )
    locked.withdrawn_on = on
    locked.save(update_fields=["withdrawn_on", "updated_at"])
    audit.record(
        actor=by,
        action="worker_withdrawn",
        object_type="worker",
        object_id=locked.pk,
        old={"withdrawn_on": None},
        new={"withdrawn_on": on},
        note=reason,
    )
    mark_summaries_stale([locked.lingkungan_id], on)
    worker.withdrawn_on = on


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role may not make this change to this worker."))


@transaction.atomic
def reinstate_worker(*, by: User, worker: Worker) -> None:
    """Bring a withdrawn worker back into the registry's counts, as if never withdrawn."""
    locked = _ensure_may_change(by, worker)
    _require(may_correct_worker(by, locked))
    withdrawn_on = locked.withdrawn_on
    if withdrawn_on is None:
        return
    locked.withdrawn_on = None
    locked.save(update_fields=["withdrawn_on", "updated_at"])
    audit.record(
        actor=by,
        action="worker_reinstated",
        object_type="worker",
        object_id=locked.pk,
        old={"withdrawn_on": withdrawn_on},
        new={"withdrawn_on": None},
    )
    mark_summaries_stale([locked.lingkungan_id], withdrawn_on)
    worker.withdrawn_on = None


@transaction.atomic
def move_worker(*, by: User, worker: Worker, lingkungan: Wilayah) -> None:
    """Move a worker to another lingkungan of the mover's area; the credit and history stay."""
    from kepling.regions.models import LINGKUNGAN

    locked = _ensure_may_change(by, worker)
    _require(may_move_worker(by, locked))
    if lingkungan.level != LINGKUNGAN or not in_area(by, lingkungan):
        raise InvalidWorkerDataError([("kode_lingkungan", _("Choose a lingkungan in your area."))])
    old = locked.lingkungan
    if old.pk == lingkungan.pk:
        return
    assert lingkungan.kelurahan_id and lingkungan.kecamatan_id and lingkungan.kota_id
    locked.lingkungan = lingkungan
    locked.kelurahan_id = lingkungan.kelurahan_id
    locked.kecamatan_id = lingkungan.kecamatan_id
    locked.kota_id = lingkungan.kota_id
    locked.save(update_fields=["lingkungan", "kelurahan", "kecamatan", "kota", "updated_at"])
    audit.record(
        actor=by,
        action="worker_moved",
        object_type="worker",
        object_id=locked.pk,
        old={"lingkungan": old.kode},
        new={"lingkungan": lingkungan.kode},
    )
    mark_summaries_stale({old.pk, lingkungan.pk}, locked.tanggal_daftar)
    # The worker's paid months and payments carry the region key the summaries group by.
    refresh_after_worker_change(locked, since=locked.tanggal_daftar, tariff_changed=False, moved=True)
    _copy_to(worker, locked)


@transaction.atomic
def register_worker_once(*, by: User, key: str, data: WorkerInput, consent_given: bool) -> RegistrationOutcome:
    """`register_worker`, once per form key: a resend of the same form gives the same worker back."""
    if key:
        seen = SubmissionKey.objects.select_related("worker").filter(by=by, key=key).first()
        if seen is not None:
            return RegistrationOutcome("registered", seen.worker)
    outcome = register_worker(by=by, data=data, consent_given=consent_given)
    if key and outcome.status == "registered" and outcome.worker is not None:
        try:
            with transaction.atomic():
                SubmissionKey.objects.create(by=by, key=key, worker=outcome.worker)
        except IntegrityError:
            # The same form arrived twice at once; the NIK's uniqueness kept it to one worker.
            pass
    return outcome
