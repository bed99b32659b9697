"""Registering many workers at once (imports): the same checks and rules as `register_worker`,
planned for the whole batch first and then written with a handful of set-based statements.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.contributions.ledger import match_registered
from kepling.core import audit
from kepling.core.bulk import insert_dicts
from kepling.core.crypto import lookup_hash
from kepling.regions.queries import mark_summaries_stale
from kepling.workers.actions import (
    Status,
    active_namesakes,
    claims_the_same,
    conflict_warning,
    consent_error,
    credit_for,
    likely_duplicate_audit_values,
    likely_duplicate_warning,
    open_conflict,
    registration_audit_values,
    worker_values,
)
from kepling.workers.models import AttributionConflict, DecisionStatus, LikelyDuplicate, Worker
from kepling.workers.references import References
from kepling.workers.validation import CleanWorker, Problem, WorkerInput, check_worker

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


def _plan(by: User | None, rows: Sequence[WorkerInput], numbers: list[int], refs: References) -> _Plan:
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
                    _("This NIK is already in row %(row)d of this file.") % {"row": accepted[nik_hash][0].row},
                )
            )
            continue
        accepted[nik_hash] = (outcome, checked.clean)
    existing = _existing_workers(list(accepted))
    open_claims = _open_claims([w.pk for w in existing.values()])
    for nik_hash, (outcome, clean) in accepted.items():
        credit = credit_for(by, clean, partial(refs.kepling_in_office, clean.lingkungan, clean.tanggal_daftar))
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


def _classify_existing(plan: _Plan, outcome: RowOutcome, claim: _Claim, open_claims: set[tuple[int, int]]) -> None:
    """The same rule as `actions.handle_existing`, decided for the whole batch up front."""
    worker, clean, credit = claim.worker, claim.clean, claim.credit
    if claims_the_same(worker, clean, credit):
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
        rows = active_namesakes().filter(name_key__in=chunk).values_list(
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
    now = timezone.now()
    rows = [worker_values(by=by, clean=n.clean, credit=n.credit, nik_hash=n.nik_hash, now=now) for n in plan.new]
    insert_dicts(Worker, rows)
    ids = _read_back_ids([r["nik_hash"] for r in rows])
    audit.record_many(
        actor=by,
        entries=[
            audit.Entry(
                "worker_registered", "worker", ids[r["nik_hash"]], new=registration_audit_values(r, n.clean, n.credit)
            )
            for r, n in zip(rows, plan.new, strict=True)
        ],
    )
    for claim in plan.claims:
        open_conflict(by=by, worker=claim.worker, clean=claim.clean, credit=claim.credit)
    plan.outcome.conflicts_opened = len(plan.claims)
    worker_ids = [ids[r["nik_hash"]] for r in rows]
    plan.outcome.likely_duplicates = _create_likely_duplicates(by, plan.new, rows, worker_ids)
    _mark_stale(rows)
    match_registered(
        [
            Worker(
                pk=worker_id,
                nik_hash=r["nik_hash"],
                nik_masked=r["nik_masked"],
                lingkungan_id=r["lingkungan_id"],
                kelurahan_id=r["kelurahan_id"],
                tanggal_daftar=r["tanggal_daftar"],
            )
            for r, worker_id in zip(rows, worker_ids, strict=True)
        ],
        by=by,
    )


def _read_back_ids(hashes: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in _chunks(hashes):
        ids.update(Worker.objects.filter(nik_hash__in=chunk).values_list("nik_hash", "pk"))
    return ids


def _create_likely_duplicates(
    by: User | None, new: list[_NewWorker], rows: list[dict[str, Any]], worker_ids: list[int]
) -> int:
    items = []
    for item, row, worker_id in zip(new, rows, worker_ids, strict=True):
        others = item.duplicate_of_existing + [worker_ids[i] for i in item.duplicate_of_new]
        items += [LikelyDuplicate(worker_id=worker_id, other_id=o, kelurahan_id=row["kelurahan_id"]) for o in others]
    LikelyDuplicate.objects.bulk_create(items)
    audit.record_many(
        actor=by,
        entries=[
            audit.Entry("likely_duplicate_opened", "likely_duplicate", d.pk, new=likely_duplicate_audit_values(d))
            for d in items
        ],
    )
    return len(items)


def _mark_stale(rows: list[dict[str, Any]]) -> None:
    """Once per lingkungan, from its earliest registration date in the batch."""
    earliest: dict[int, datetime.date] = {}
    for row in rows:
        lingkungan_id, day = row["lingkungan_id"], row["tanggal_daftar"]
        if lingkungan_id not in earliest or day < earliest[lingkungan_id]:
            earliest[lingkungan_id] = day
    by_date: dict[datetime.date, list[int]] = defaultdict(list)
    for lingkungan_id, day in earliest.items():
        by_date[day].append(lingkungan_id)
    for day, ids in by_date.items():
        mark_summaries_stale(ids, day)
