"""Data-subject rights (UU 27/2022): everything held about one person, and erasure on request.

Only Admin kota handles these requests (`accounts.permissions.may_handle_data_subject_requests`).
Erasure anonymises rather than deletes: the registration, its area, dates, program and the BPJS
ledger stay, so every figure keeps counting; the name, NIK, phone, birth date and occupation go,
from the worker and from the audit log's recorded values, while the audit keeps who did what, when.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.accounts.permissions import may_handle_data_subject_requests
from kepling.contributions.models import Payment, WorkerMonth
from kepling.core import audit
from kepling.core.crypto import decrypt_text, encrypt_text, lookup_hash
from kepling.core.models import AuditLog, AuditSubject
from kepling.regions.queries import mark_summaries_stale
from kepling.reminders.models import OutboxMessage
from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker
from kepling.workers.validation import check_nik

ERASED = "(dihapus)"
PERSONAL_KEYS = {"nama", "no_hp", "tanggal_lahir", "pekerjaan", "nik_masked", "nik", "to", "submitted_by"}


def _ensure_allowed(by: User) -> None:
    if not may_handle_data_subject_requests(by):
        raise PermissionDenied(_("Only the city administrator handles data-subject requests."))


def find_person(by: User, nik: str) -> Worker:
    """The worker holding this NIK (any digits), city-wide; 404 when nobody does."""
    _ensure_allowed(by)
    cleaned, _facts, errors, _warnings = check_nik(nik)
    worker = Worker.objects.filter(nik_hash=lookup_hash(cleaned)).first() if cleaned and not errors else None
    if worker is None:
        raise Http404("worker")
    return worker


def _audit_rows(worker: Worker) -> list[AuditLog]:
    ids = AuditSubject.objects.filter(worker_id=worker.pk).values("entry_id")
    return list(AuditLog.objects.filter(pk__in=ids).select_related("actor").order_by("at", "id"))


def person_export(*, by: User, worker: Worker) -> dict[str, Any]:
    """Everything held about one person, with who saw or changed it and when; the export is audited."""
    _ensure_allowed(by)
    fields = {f.name: getattr(worker, f.attname) for f in Worker._meta.concrete_fields}
    fields.pop("nik_hash")
    fields["nik"] = decrypt_text(fields.pop("nik_encrypted"))
    data = {
        "generated_at": timezone.now().isoformat(),
        "worker": fields,
        "lingkungan": worker.lingkungan.kode,
        "payments": list(
            Payment.objects.filter(worker=worker).values("periode", "jumlah", "tanggal_bayar", "referensi")
        ),
        "months": list(WorkerMonth.objects.filter(worker=worker).values("periode", "amount_due", "amount_paid")),
        "reminders": list(OutboxMessage.objects.filter(worker=worker).values("periode", "channel", "status", "body")),
        "attribution_conflicts": list(AttributionConflict.objects.filter(worker=worker).values("claimed_on", "status")),
        "likely_duplicates": LikelyDuplicate.objects.filter(worker=worker).count()
        + LikelyDuplicate.objects.filter(other=worker).count(),
        "seen_and_changed_by": [
            {"at": row.at.isoformat(), "who": row.actor.username if row.actor else "", "action": row.action}
            for row in _audit_rows(worker)
        ],
    }
    audit.record(actor=by, action="person_exported", object_type="worker", object_id=worker.pk)
    return audit._jsonable(data)  # type: ignore[no-any-return]


@transaction.atomic
def erase_person(*, by: User, worker: Worker, reason: str) -> None:
    """Anonymise a person on request; figures keep counting, the audit keeps that it happened."""
    _ensure_allowed(by)
    if not reason.strip():
        raise PermissionDenied(_("Give the reason for the erasure (the request it answers)."))
    locked = Worker.objects.select_for_update().get(pk=worker.pk)
    placeholder = f"erased-{locked.pk}-{secrets.token_hex(8)}"
    locked.nik_hash = lookup_hash(placeholder)
    locked.nik_encrypted = encrypt_text(placeholder)
    locked.nik_masked = "*" * 16
    locked.kpj = ""
    locked.nama = ERASED
    locked.name_key = ERASED
    locked.no_hp = ""
    locked.pekerjaan = ERASED
    # The birth year stays: age bands in reports still count this person.
    locked.tanggal_lahir = datetime.date(locked.tanggal_lahir.year, 1, 1)
    locked.save()
    OutboxMessage.objects.filter(worker=locked).update(to="", body="")
    for conflict in AttributionConflict.objects.filter(worker=locked):
        AttributionConflict.objects.filter(pk=conflict.pk).update(submitted={})
    _scrub_audit(locked)
    audit.record(
        actor=by, action="person_erased", object_type="worker", object_id=locked.pk, note=reason.strip()[:500]
    )
    mark_summaries_stale([locked.lingkungan_id], locked.tanggal_daftar)


def _scrub_audit(worker: Worker) -> None:
    # Audit rows are append-only for everyone else; erasure on request is the one sanctioned rewrite,
    # and it only blanks personal values: who did what, when, stays.
    for row in _audit_rows(worker):
        old, new = _scrubbed(row.old_values), _scrubbed(row.new_values)
        if old != row.old_values or new != row.new_values:
            AuditLog.objects.filter(pk=row.pk).update(old_values=old, new_values=new)


def _scrubbed(values: Any) -> Any:
    if not isinstance(values, dict):
        return values
    return {k: (ERASED if k in PERSONAL_KEYS and v not in (None, "") else v) for k, v in values.items()}
