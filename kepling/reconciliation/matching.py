"""Matching the registry against BPJS extracts, by NIK (keyed hash) and then KPJ, into the mismatch queues.

`rebuild_queue` is idempotent: each finding has a stable key, so running it again never
repeats an item; a decided item stays decided; an open item whose finding has gone away is
closed as `gone`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kepling.accounts.models import User
from kepling.contributions.models import HeldCancellation, Payment, WorkerMonth
from kepling.contributions.status import ARREARS_BEFORE_INACTIVE, Status, registered_on, with_status
from kepling.core import audit
from kepling.core.periods import add_months, due_date
from kepling.reconciliation.models import BpjsParticipant, ItemKind, ItemStatus, ParticipantStatus, ReconciliationItem
from kepling.workers.models import Worker

BATCH = 2000
# BPJS ends participation only after more than 3 unpaid months, so a worker in arrears is still active there.
REGISTRY_ACTIVE = {Status.ACTIVE.value, Status.IN_ARREARS.value}


@dataclass
class Finding:
    key: str
    kind: ItemKind
    worker_id: int | None = None
    payment_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class _WorkerRef:
    id: int
    nik_hash: str
    kpj: str


def _areas(worker_ids: set[int]) -> dict[int, tuple[int, int, int]]:
    areas: dict[int, tuple[int, int, int]] = {}
    ids = sorted(worker_ids)
    for start in range(0, len(ids), BATCH):
        rows = Worker.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "id", "kelurahan_id", "kecamatan_id", "kota_id"
        )
        areas.update({r[0]: (r[1], r[2], r[3]) for r in rows})
    return areas


def unmatched_payments() -> list[Finding]:
    """Payments kept for a NIK the registry did not know, not yet reversed; with a candidate worker."""
    by_hash = dict(Worker.objects.values_list("nik_hash", "id"))
    by_kpj = dict(Worker.objects.exclude(kpj="").values_list("kpj", "id"))
    payments = Payment.objects.filter(worker__isnull=True, jumlah__gt=0, reversal__isnull=True).values_list(
        "id", "nik_hash", "nik_masked", "kpj", "periode", "jumlah", "tanggal_bayar", "referensi"
    )
    findings = []
    for pk, nik_hash, masked, kpj, periode, jumlah, paid_on, ref in payments.iterator(chunk_size=5000):
        candidate = by_hash.get(nik_hash)
        matched_by = "nik" if candidate else ""
        if candidate is None and kpj:
            candidate = by_kpj.get(kpj)
            matched_by = "kpj" if candidate else ""
        findings.append(
            Finding(
                f"payment:{pk}",
                ItemKind.UNMATCHED_PAYMENT,
                candidate,
                pk,
                {
                    "nik_masked": masked,
                    "kpj": kpj,
                    "periode": periode.isoformat(),
                    "jumlah": jumlah,
                    "tanggal_bayar": paid_on.isoformat(),
                    "referensi": ref,
                    "matched_by": matched_by,
                },
            )
        )
    return findings


def underpaid_months() -> list[Finding]:
    """Months where something was paid but less than what was due."""
    rows = (
        WorkerMonth.objects.filter(amount_paid__gt=0, amount_paid__lt=F("amount_due"))
        .values_list("worker_id", "periode", "amount_due", "amount_paid")
        .distinct()
    )
    return [
        Finding(
            f"underpaid:{worker_id}:{periode:%Y-%m}",
            ItemKind.UNDERPAID_MONTH,
            worker_id,
            None,
            {"periode": periode.isoformat(), "amount_due": due, "amount_paid": paid, "shortfall": due - paid},
        )
        for worker_id, periode, due, paid in rows.iterator(chunk_size=5000)
    ]


def late_payments() -> list[Finding]:
    """Payments for a month received after the due date of the third month after it (BPJS allows 3 months of arrears).

    They still count (BPJS took the money); the finding asks BPJS and the city to look at them.
    """
    findings = []
    rows = Payment.objects.filter(worker__isnull=False, jumlah__gt=0, reversal__isnull=True).values_list(
        "id", "worker_id", "periode", "tanggal_bayar", "jumlah", "referensi"
    )
    limits: dict[datetime.date, datetime.date] = {}
    for pk, worker_id, periode, paid_on, jumlah, ref in rows.iterator(chunk_size=5000):
        if periode not in limits:
            limits[periode] = due_date(add_months(periode, ARREARS_BEFORE_INACTIVE))
        if paid_on <= limits[periode]:
            continue
        findings.append(
            Finding(
                f"late:{pk}",
                ItemKind.LATE_PAYMENT,
                worker_id,
                pk,
                {
                    "periode": periode.isoformat(),
                    "tanggal_bayar": paid_on.isoformat(),
                    "jumlah": jumlah,
                    "referensi": ref,
                    "latest_allowed": limits[periode].isoformat(),
                },
            )
        )
    return findings


def held_cancellations() -> list[Finding]:
    """BPJS cancellations held because the payment they cancel is not in the ledger (listed at once).

    Listed from the day they are held, not after a waiting period: the officer sees at once that
    BPJS cancelled a payment the city never received (often a sign of an extract missing), and the
    item closes by itself (`gone`) when the payment arrives and the cancellation is applied. One
    whose payment arrived but does not fit it stays, with the reason.
    """
    fields = ("id", "nik_hash", "nik_masked", "periode", "jumlah", "tanggal_bayar", "referensi", "referensi_asal")
    held = list(HeldCancellation.objects.values_list(*fields, "problem"))
    workers = dict(Worker.objects.filter(nik_hash__in={h[1] for h in held}).values_list("nik_hash", "id"))
    return [
        Finding(
            f"held:{pk}",
            ItemKind.HELD_CANCELLATION,
            workers.get(nik_hash),
            None,
            {
                "nik_masked": masked,
                "periode": periode.isoformat(),
                "jumlah": jumlah,
                "tanggal_bayar": cancelled_on.isoformat(),
                "referensi": ref,
                "referensi_asal": original,
                "problem": problem,
            },
        )
        for pk, nik_hash, masked, periode, jumlah, cancelled_on, ref, original, problem in held
    ]


def _participants() -> tuple[dict[str, list[tuple[str, str, datetime.date]]], dict[str, str]]:
    by_hash: dict[str, list[tuple[str, str, datetime.date]]] = defaultdict(list)
    hash_by_kpj: dict[str, str] = {}
    for nik_hash, kpj, status, per in BpjsParticipant.objects.values_list("nik_hash", "kpj", "status", "per_tanggal"):
        by_hash[nik_hash].append((kpj, status, per))
        hash_by_kpj.setdefault(kpj, nik_hash)
    return by_hash, hash_by_kpj


def participant_findings(as_of: datetime.date) -> list[Finding]:
    """Protected workers BPJS does not know, and status disagreements, from the participant extracts."""
    by_hash, hash_by_kpj = _participants()
    if not by_hash:
        return []  # no participant extract yet: nothing to compare with
    findings: list[Finding] = []
    annotated: Any = with_status(Worker.objects.filter(registered_on(as_of)), as_of)
    workers = annotated.values_list("id", "nik_hash", "kpj", "status", "paid_months")
    for worker_id, nik_hash, kpj, status, paid_months in workers.iterator(chunk_size=5000):
        known = by_hash.get(nik_hash) or (by_hash.get(hash_by_kpj[kpj]) if kpj and kpj in hash_by_kpj else None)
        if not known:
            if paid_months:
                findings.append(
                    Finding(f"unknown:{worker_id}", ItemKind.UNKNOWN_TO_BPJS, worker_id, None, {"status": status})
                )
            continue
        latest = max(known, key=lambda p: p[2])
        bpjs_active = latest[1] == ParticipantStatus.ACTIVE
        registry_active = status in REGISTRY_ACTIVE
        if bpjs_active != registry_active:
            findings.append(
                Finding(
                    f"status:{worker_id}:{latest[1]}:{status}",
                    ItemKind.STATUS_MISMATCH,
                    worker_id,
                    None,
                    {"bpjs_status": latest[1], "bpjs_per_tanggal": latest[2].isoformat(), "registry_status": status,
                     "kpj": latest[0], "as_of": as_of.isoformat()},
                )
            )
        if kpj and kpj not in {p[0] for p in known}:
            findings.append(
                Finding(
                    f"kpj_nik:{worker_id}:{kpj}",
                    ItemKind.KPJ_CONFLICT,
                    worker_id,
                    None,
                    {"problem": "same_nik_other_kpj", "registry_kpj": kpj, "bpjs_kpj": sorted(p[0] for p in known)},
                )
            )
    return findings


def shared_kpj() -> list[Finding]:
    """One KPJ on two or more NIKs, across the registry, the participant extracts and the payments."""
    holders: dict[str, set[str]] = defaultdict(set)
    workers_by_hash: dict[str, int] = {}
    for pk, nik_hash, kpj in Worker.objects.exclude(kpj="").values_list("id", "nik_hash", "kpj"):
        holders[kpj].add(nik_hash)
        workers_by_hash[nik_hash] = pk
    for nik_hash, kpj in BpjsParticipant.objects.values_list("nik_hash", "kpj"):
        holders[kpj].add(nik_hash)
    for nik_hash, kpj in Payment.objects.exclude(kpj="").values_list("nik_hash", "kpj").distinct():
        holders[kpj].add(nik_hash)
    findings = []
    for kpj, hashes in holders.items():
        if len(hashes) < 2:
            continue
        worker_ids = sorted(workers_by_hash[h] for h in hashes if h in workers_by_hash)
        findings.append(
            Finding(
                f"kpj_shared:{kpj}",
                ItemKind.KPJ_CONFLICT,
                worker_ids[0] if worker_ids else None,
                None,
                {"problem": "kpj_on_several_nik", "kpj": kpj, "nik_count": len(hashes), "workers": worker_ids},
            )
        )
    return findings


def find_all(as_of: datetime.date) -> list[Finding]:
    """Every current finding, each with its stable key."""
    return [
        *unmatched_payments(),
        *underpaid_months(),
        *late_payments(),
        *held_cancellations(),
        *participant_findings(as_of),
        *shared_kpj(),
    ]


@transaction.atomic
def rebuild_queue(as_of: datetime.date, *, by: User | None = None) -> dict[str, int]:
    """Bring the open queue in line with the current findings; returns what changed."""
    findings = {f.key: f for f in find_all(as_of)}
    areas = _areas({f.worker_id for f in findings.values() if f.worker_id})
    existing = dict(ReconciliationItem.objects.values_list("key", "status").iterator(chunk_size=5000))
    to_create, to_update = [], []
    for key, finding in findings.items():
        area = areas.get(finding.worker_id or 0, (None, None, None))
        item = ReconciliationItem(
            key=key, kind=finding.kind, worker_id=finding.worker_id, payment_id=finding.payment_id,
            details=finding.details, kelurahan_id=area[0], kecamatan_id=area[1], kota_id=area[2],
        )
        if key not in existing:
            to_create.append(item)
        elif existing[key] == ItemStatus.OPEN:
            to_update.append(item)
    ReconciliationItem.objects.bulk_create(to_create, batch_size=BATCH)
    updates = {i.key: i for i in to_update}
    stored = [i for i in ReconciliationItem.objects.filter(status=ItemStatus.OPEN).iterator() if i.key in updates]
    fields = ["worker_id", "details", "kelurahan_id", "kecamatan_id", "kota_id"]
    for current in stored:
        for name in fields:
            setattr(current, name, getattr(updates[current.key], name))
    ReconciliationItem.objects.bulk_update(stored, fields, batch_size=BATCH)
    closed = _close_gone(findings, as_of)
    counts = {
        "created": len(to_create),
        "updated": len(to_update),
        "closed": closed,
        "open": ReconciliationItem.objects.filter(status=ItemStatus.OPEN).count(),
    }
    audit.record(
        actor=by, action="reconciliation_rebuilt", object_type="reconciliation", new=counts | {"as_of": as_of}
    )
    return counts


def _close_gone(findings: dict[str, Finding], as_of: datetime.date) -> int:
    open_keys = ReconciliationItem.objects.filter(status=ItemStatus.OPEN).values_list("pk", "key")
    gone = [pk for pk, key in open_keys.iterator(chunk_size=5000) if key not in findings]
    for start in range(0, len(gone), BATCH):
        ReconciliationItem.objects.filter(pk__in=gone[start : start + BATCH]).update(
            status=ItemStatus.RESOLVED, resolution="gone", resolution_note=f"No longer found on {as_of.isoformat()}",
            resolved_at=timezone.now(),
        )
    return len(gone)

