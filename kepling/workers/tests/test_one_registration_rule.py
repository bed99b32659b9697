"""Registering one by one and registering a file's batch leave the same registry behind.

`register_worker` (form, API) and `register_workers_bulk` (imports) share their predicates;
this test holds them to it: the same rows, sent through each path from the same starting
registry, give the same outcomes, workers, conflicts, likely duplicates, stale marks and
audit rows (ids aside, since each run allocates its own).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog, AuditSubject
from kepling.regions.models import StaleSummary
from kepling.testing import City, make_user
from kepling.workers.actions import register_worker, withdraw_worker
from kepling.workers.bulk import register_workers_bulk
from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker
from kepling.workers.tests.builders import make_nik, worker_input
from kepling.workers.validation import WorkerInput

BORN = datetime.date(1988, 3, 9)
Snapshot = dict[str, Any]
# Columns each run fills afresh: ids, the NIK's random nonce, the time of writing.
PER_RUN_COLUMNS = {"id", "nik_encrypted", "consent_at", "created_at", "updated_at"}


def _registry_before(city: City, kepling: User, admin: User) -> None:
    """Workers the batch will meet: one in place, one elsewhere, one withdrawn namesake."""
    for serial, kode, nama in ((1, city.lingkungan[0].kode, "Rina"), (2, city.lingkungan[4].kode, "Joko"),
                               (3, city.lingkungan[0].kode, "Sari Dewi")):
        outcome = register_worker(
            by=kepling if kode == city.lingkungan[0].kode else admin,
            data=worker_input(nik=make_nik(BORN, serial=serial), nama=nama, tanggal_lahir=BORN, kode_lingkungan=kode),
            consent_given=True,
        )
        assert outcome.status == "registered", outcome.errors
    namesake = register_worker(
        by=admin,
        data=worker_input(nik=make_nik(BORN, serial=4), nama="Lama Pergi", tanggal_lahir=BORN),
        consent_given=True,
    ).worker
    assert namesake is not None
    withdraw_worker(by=admin, worker=namesake, reason="pindah kota")


def _batch(city: City) -> list[WorkerInput]:
    there = city.lingkungan[4].kode
    return [
        worker_input(nik=make_nik(BORN, serial=10), nama="Baru Satu", tanggal_lahir=BORN),  # registered
        worker_input(nik=make_nik(BORN, serial=1), nama="Rina", tanggal_lahir=BORN),  # already present
        worker_input(nik=make_nik(BORN, serial=2), nama="Joko", tanggal_lahir=BORN),  # conflict, opened
        worker_input(nik=make_nik(BORN, serial=11), nama="Sari  dewi", tanggal_lahir=BORN),  # likely dup (registry)
        worker_input(nik=make_nik(BORN, serial=12), nama="Baru Satu", tanggal_lahir=BORN),  # likely dup (this batch)
        worker_input(nik=make_nik(BORN, serial=13), nama="Lama Pergi", tanggal_lahir=BORN),  # withdrawn: no flag
        worker_input(nik=make_nik(BORN, serial=14), nama="Di Sana", kode_lingkungan=there),  # in office credited
        worker_input(nik="12345", nama="Salah"),  # rejected
        worker_input(nik=make_nik(BORN, serial=15), penghasilan=100),  # rejected: income below the floor
    ]


def _worker_key(worker_id: int | str | None) -> str:
    """A worker named by what both runs share (masked NIK and name), not by its id."""
    if worker_id in (None, ""):
        return ""
    worker = Worker.objects.get(pk=int(str(worker_id)))
    return f"{worker.nik_masked}/{worker.nama}"


def _snapshot(statuses: list[str], since: int) -> Snapshot:
    workers = sorted(
        tuple(sorted((k, str(v)) for k, v in row.items() if k not in PER_RUN_COLUMNS))
        for row in Worker.objects.values()
    )
    conflicts = sorted(
        (_worker_key(c.worker_id), c.claimant_lingkungan_id, c.claimant_id, c.status, str(c.claimed_on))
        for c in AttributionConflict.objects.all()
    )
    duplicates = sorted((_worker_key(d.worker_id), _worker_key(d.other_id)) for d in LikelyDuplicate.objects.all())
    stale: dict[int, datetime.date] = {}
    for lingkungan_id, since_day in StaleSummary.objects.values_list("lingkungan_id", "since"):
        stale[lingkungan_id] = min(since_day, stale.get(lingkungan_id, since_day))  # earliest mark is what counts
    audit = sorted(
        (
            row.action,
            row.object_type,
            _worker_key(row.object_id) if row.object_type == "worker" else "",
            _rekey(row.new_values),
            tuple(sorted(_worker_key(s) for s in AuditSubject.objects.filter(entry=row).values_list("worker_id", flat=True))),  # noqa: E501
        )
        for row in AuditLog.objects.filter(pk__gt=since)
    )
    return {"statuses": statuses, "workers": workers, "conflicts": conflicts, "duplicates": duplicates,
            "stale": stale, "audit": audit}


def _rekey(values: dict[str, Any] | None) -> str:
    """Audit values with worker ids replaced by the worker they name."""
    if not values:
        return ""
    return repr(sorted((k, _worker_key(v) if k in {"worker", "other"} else str(v)) for k, v in values.items()))


def _run(path: Callable[[list[WorkerInput]], list[str]], rows: list[WorkerInput]) -> Snapshot:
    since = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    StaleSummary.objects.all().delete()
    with transaction.atomic():
        statuses = path(rows)
        snapshot = _snapshot(statuses, since)
        transaction.set_rollback(True)
    return snapshot


@pytest.mark.django_db
def test_one_by_one_and_in_a_batch_leave_the_same_registry(city: City) -> None:
    admin = make_user("admin-kota", Role.ADMIN_KOTA, city.kota)
    kepling = make_user("kepling-satu", Role.KEPLING, city.lingkungan[0])
    make_user("kepling-sana", Role.KEPLING, city.lingkungan[4])
    _registry_before(city, kepling, admin)
    rows = _batch(city)

    def single(batch: list[WorkerInput]) -> list[str]:
        return [register_worker(by=admin, data=row, consent_given=True).status for row in batch]

    def bulk(batch: list[WorkerInput]) -> list[str]:
        return [r.status for r in register_workers_bulk(by=admin, rows=batch, consent_given=True).rows]

    one_by_one, batched = _run(single, rows), _run(bulk, rows)
    assert one_by_one["statuses"] == [
        "registered", "already_present", "conflict", "registered", "registered", "registered", "registered",
        "rejected", "rejected",
    ]
    for part in ("statuses", "workers", "conflicts", "duplicates", "stale", "audit"):
        assert batched[part] == one_by_one[part], part
