"""Applying a BPJS participant extract (nik, kpj, nama, status, per_tanggal): one row per NIK and KPJ.

A newer extract updates a participant's status; an older one never overwrites a newer one.
"""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.core import audit
from kepling.core.crypto import encrypt_text, lookup_hash, mask_nik
from kepling.core.identifiers import ascii_digits
from kepling.core.tabular import ImportResult, open_table, parse_date
from kepling.reconciliation.models import BpjsParticipant, ParticipantStatus

PARTICIPANT_COLUMNS = ["nik", "kpj", "status", "per_tanggal"]
PARTICIPANT_OPTIONAL = ["nama"]
STATUS_WORDS = {
    "aktif": ParticipantStatus.ACTIVE,
    "active": ParticipantStatus.ACTIVE,
    "nonaktif": ParticipantStatus.INACTIVE,
    "non aktif": ParticipantStatus.INACTIVE,
    "non-aktif": ParticipantStatus.INACTIVE,
    "tidak aktif": ParticipantStatus.INACTIVE,
    "inactive": ParticipantStatus.INACTIVE,
}


def _check(record: dict[str, str]) -> tuple[list[tuple[str, str]], dict[str, object]]:
    problems: list[tuple[str, str]] = []
    nik = re.sub(r"\s", "", ascii_digits(record.get("nik", "")))
    kpj = re.sub(r"\s", "", ascii_digits(record.get("kpj", "")))
    if not re.fullmatch(r"\d{16}", nik, re.ASCII):
        problems.append(("nik", _("NIK must be 16 digits.")))
    if not re.fullmatch(r"\d{11}", kpj, re.ASCII):
        problems.append(("kpj", _("KPJ must be 11 digits.")))
    status = STATUS_WORDS.get(record.get("status", "").strip().lower())
    if status is None:
        problems.append(("status", _("Status must be 'aktif' or 'nonaktif'.")))
    per_tanggal: datetime.date | None = None
    try:
        per_tanggal = parse_date(record.get("per_tanggal", ""))
    except ValueError as exc:
        problems.append(("per_tanggal", str(exc)))
    values: dict[str, object] = {
        "nik": nik, "kpj": kpj, "status": status, "per_tanggal": per_tanggal, "nama": record.get("nama", "")
    }
    return problems, values


@transaction.atomic
def import_participants_file(path: str | Path, *, by: User | None = None, dry_run: bool = False) -> ImportResult:
    """Store the participants of a BPJS extract; raises UnusableFileError when the file cannot be used."""
    table = open_table(path, required=PARTICIPANT_COLUMNS, optional=PARTICIPANT_OPTIONAL)
    result = ImportResult()
    batch = uuid.uuid4().hex
    seen: dict[tuple[str, str], int] = {}
    for number, record in table.rows():
        result.rows += 1
        problems, values = _check(record)
        if problems:
            result.reject(number, problems)
            continue
        nik, kpj = str(values["nik"]), str(values["kpj"])
        if (nik, kpj) in seen:
            result.reject(
                number, [("kpj", _("This NIK and KPJ already appear in row %(row)d.") % {"row": seen[(nik, kpj)]})]
            )
            continue
        seen[(nik, kpj)] = number
        if _store(nik, kpj, values, batch, dry_run):
            result.applied += 1
        else:
            result.already_present += 1
    if not dry_run and result.applied:
        audit.record(
            actor=by,
            action="participants_imported",
            object_type="import",
            object_id=batch,
            new=result.as_dict() | {"errors": len(result.errors)},
            note=Path(path).name,
        )
    return result


def _store(nik: str, kpj: str, values: dict[str, object], batch: str, dry_run: bool) -> bool:
    """Create or update one participant; False when the stored row is as new and the same."""
    nik_hash = lookup_hash(nik)
    status, per_tanggal = values["status"], values["per_tanggal"]
    assert isinstance(per_tanggal, datetime.date)
    nama = str(values["nama"]).strip()[:150]
    stored = BpjsParticipant.objects.filter(nik_hash=nik_hash, kpj=kpj).first()
    if stored is not None and (
        stored.per_tanggal > per_tanggal or (stored.per_tanggal == per_tanggal and stored.status == status)
    ):
        return False
    if dry_run:
        return True
    if stored is None:
        BpjsParticipant.objects.create(
            nik_hash=nik_hash,
            nik_encrypted=encrypt_text(nik),
            nik_masked=mask_nik(nik),
            kpj=kpj,
            nama=nama,
            status=str(status),
            per_tanggal=per_tanggal,
            import_batch=batch,
        )
    else:
        stored.status, stored.per_tanggal, stored.import_batch = str(status), per_tanggal, batch
        stored.nama = nama or stored.nama
        stored.save(update_fields=["status", "per_tanggal", "import_batch", "nama", "updated_at"])
    return True
