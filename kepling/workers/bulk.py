"""Registering many workers at once (imports): the same checks and rules as `register_worker`,
planned for the whole batch first and then written with a handful of set-based statements.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.core.crypto import lookup_hash
from kepling.core.models import AuditLog
from kepling.regions.queries import mark_summaries_stale
from kepling.workers.actions import (
    Status,
    build_worker,
    conflict_warning,
    consent_error,
    credit_for,
    likely_duplicate_warning,
    open_conflict,
    registration_audit_values,
)
from kepling.workers.models import AttributionConflict, DecisionStatus, LikelyDuplicate, Worker
from kepling.workers.references import References
from kepling.workers.validation import CleanWorker, Problem, WorkerInput, check_worker

BATCH_SIZE = 1000
LOOKUP_CHUNK = 900


@dataclass
class RowOutcome:
    """What happened to one row of the batch, by its row number."""

    row: int
    status: Status
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class BulkOutcome:
    """Per-row outcomes of a batch, plus what was opened for review."""

    rows: list[RowOutcome] = field(default_factory=list)
    conflicts_opened: int = 0
    likely_duplicates: int = 0

    def count(self, status: Status) -> int:
        return sum(1 for r in self.rows if r.status == status)


@dataclass
class _NewWorker:
    outcome: RowOutcome
    clean: CleanWorker
    credit: User | None
    nik_hash: str
    duplicate_of_existing: list[int] = field(default_factory=list)
    duplicate_of_new: list[int] = field(default_factory=list)


@dataclass
class _Claim:
    worker: Worker
    clean: CleanWorker
    credit: User | None


@dataclass
class _Plan:
    outcome: BulkOutcome
    new: list[_NewWorker] = field(default_factory=list)
    claims: list[_Claim] = field(default_factory=list)


def _chunks(items: Sequence[str], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def register_workers_bulk(
    *,
    by: User | None,
    rows: Sequence[WorkerInput],
    consent_given: bool,
    row_numbers: Sequence[int] | None = None,
    dry_run: bool = False,
) -> BulkOutcome:
    """Check every row, then register the good ones; a NIK repeated in the batch is rejected."""
    numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(rows) + 1))
    if not consent_given:
        return BulkOutcome([RowOutcome(n, "rejected", [consent_error()]) for n in numbers])
    refs = References(by)
    refs.preload(rows)
    plan = _plan(by, rows, numbers, refs)
    if not dry_run:
        _apply(by, plan)
    return plan.outcome


def _plan(
    by: User | None, rows: Sequence[WorkerInput], numbers: list[int], refs: References
) -> _Plan:
    plan = _Plan(BulkOutcome())
    accepted: dict[str, tuple[RowOutcome, CleanWorker]] = {}
    for number, data in zip(numbers, rows, strict=True):
        checked = check_worker(data, refs)
        outcome = RowOutcome(number, "registered", checked.errors, checked.warnings)
        plan.outcome.rows.append(outcome)
        if checked.clean is None:
            outcome.status = "rejected"
            continue
        nik_hash = lookup_hash(checked.clean.nik)
        if nik_hash in accepted:
            outcome.status = "rejected"
            outcome.errors.append(
                (
                    "nik",
                    _("This NIK is already in row %(row)d of this file.")
                    % {"row": accepted[nik_hash][0].row},
                )
            )
            continue
        accepted[nik_hash] = (outcome, checked.clean)
    existing = _existing_workers(list(accepted))
    open_claims = _open_claims([w.pk for w in existing.values()])
    for nik_hash, (outcome, clean) in accepted.items():
        credit = credit_for(
            by, clean, partial(refs.kepling_in_office, clean.lingkungan, clean.tanggal_daftar)
        )
        worker = existing.get(nik_hash)
        if worker is None:
            plan.new.append(_NewWorker(outcome, clean, credit, nik_hash))
        else:
            _classify_existing(plan, outcome, _Claim(worker, clean, credit), open_claims)
    _find_likely_duplicates(plan.new)
    return plan


def _existing_workers(hashes: list[str]) -> dict[str, Worker]:
    found: dict[str, Worker] = {}
    for chunk in _chunks(hashes):
        for worker in Worker.objects.filter(nik_hash__in=chunk).only(
            "id", "nik_hash", "nik_masked", "lingkungan_id", "kelurahan_id", "credited_kepling_id"
        ):
            found[worker.nik_hash] = worker
    return found


def _open_claims(worker_ids: list[int]) -> set[tuple[int, int]]:
    claims: set[tuple[int, int]] = set()
    for start in range(0, len(worker_ids), LOOKUP_CHUNK):
        claims |= set(
            AttributionConflict.objects.filter(
                worker_id__in=worker_ids[start : start + LOOKUP_CHUNK], status=DecisionStatus.OPEN
            ).values_list("worker_id", "claimant_lingkungan_id")
        )
    return claims


def _classify_existing(
    plan: _Plan, outcome: RowOutcome, claim: _Claim, open_claims: set[tuple[int, int]]
) -> None:
    """The same rule as `actions.handle_existing`, decided for the whole batch up front."""
    worker, clean, credit = claim.worker, claim.clean, claim.credit
    same_place = worker.lingkungan_id == clean.lingkungan.pk
    if same_place and (credit is None or worker.credited_kepling_id in (None, credit.pk)):
        outcome.status = "already_present"
        return
    outcome.status = "conflict"
    outcome.warnings.append(conflict_warning())
    if (worker.pk, clean.lingkungan.pk) not in open_claims:
        plan.claims.append(claim)


def _find_likely_duplicates(new: list[_NewWorker]) -> None:
    """Same name and birth date under another NIK: in the registry, or earlier in this batch."""
    keys = sorted({n.clean.name_key for n in new})
    known: dict[tuple[str, datetime.date], list[int]] = defaultdict(list)
    for chunk in _chunks(keys):
        rows = Worker.objects.filter(name_key__in=chunk, withdrawn_on__isnull=True).values_list(
            "pk", "name_key", "tanggal_lahir"
        )
        for pk, name, born in rows:
            known[(name, born)].append(pk)
    seen: dict[tuple[str, datetime.date], list[int]] = defaultdict(list)
    for index, item in enumerate(new):
        key = (item.clean.name_key, item.clean.tanggal_lahir)
        item.duplicate_of_existing = list(known.get(key, []))
        item.duplicate_of_new = list(seen[key])
        seen[key].append(index)
        if item.duplicate_of_existing or item.duplicate_of_new:
            item.outcome.warnings.append(likely_duplicate_warning())


def _apply(by: User | None, plan: _Plan) -> None:
    actor = by if by is not None and by.pk else None
    workers = [
        build_worker(by=by, clean=n.clean, credit=n.credit, nik_hash=n.nik_hash) for n in plan.new
    ]
    Worker.objects.bulk_create(workers, batch_size=BATCH_SIZE)
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=actor,
                action="worker_registered",
                object_type="worker",
                object_id=str(w.pk),
                new_values=registration_audit_values(w),
                note="bulk",
            )
            for w in workers
        ],
        batch_size=BATCH_SIZE,
    )
    for claim in plan.claims:
        open_conflict(by=by, worker=claim.worker, clean=claim.clean, credit=claim.credit)
    plan.outcome.conflicts_opened = len(plan.claims)
    plan.outcome.likely_duplicates = _create_likely_duplicates(actor, plan.new, workers)
    _mark_stale(workers)


def _create_likely_duplicates(
    actor: User | None, new: list[_NewWorker], workers: list[Worker]
) -> int:
    items = []
    for item, worker in zip(new, workers, strict=True):
        others = item.duplicate_of_existing + [workers[i].pk for i in item.duplicate_of_new]
        items += [
            LikelyDuplicate(worker=worker, other_id=o, kelurahan_id=worker.kelurahan_id)
            for o in others
        ]
    LikelyDuplicate.objects.bulk_create(items, batch_size=BATCH_SIZE)
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=actor,
                action="likely_duplicate_opened",
                object_type="likely_duplicate",
                object_id=str(d.pk),
                new_values={"worker": d.worker_id, "other": d.other_id},
            )
            for d in items
        ],
        batch_size=BATCH_SIZE,
    )
    return len(items)


def _mark_stale(workers: list[Worker]) -> None:
    """Once per lingkungan, from its earliest registration date in the batch."""
    earliest: dict[int, datetime.date] = {}
    for w in workers:
        if w.lingkungan_id not in earliest or w.tanggal_daftar < earliest[w.lingkungan_id]:
            earliest[w.lingkungan_id] = w.tanggal_daftar
    by_date: dict[datetime.date, list[int]] = defaultdict(list)
    for lingkungan_id, day in earliest.items():
        by_date[day].append(lingkungan_id)
    for day, ids in by_date.items():
        mark_summaries_stale(ids, day)
