"""Registering workers through `register_worker`: storage, credit, duplicates and decisions."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kepling.accounts.models import Role, User
from kepling.core.crypto import decrypt_text, lookup_hash
from kepling.core.errors import AlreadyDecidedError
from kepling.core.models import AuditLog
from kepling.regions.models import KeplingTerm, StaleSummary
from kepling.testing import City, make_user
from kepling.workers.actions import (
    InvalidWorkerDataError,
    RegistrationOutcome,
    register_worker,
    resolve_attribution_conflict,
    resolve_likely_duplicate,
    update_worker,
    withdraw_worker,
)
from kepling.workers.models import AttributionConflict, DecisionStatus, LikelyDuplicate, Worker
from kepling.workers.tests.builders import REGISTERED_ON, make_nik, worker_input
from kepling.workers.validation import WorkerInput


def register(by: User | None, data: WorkerInput | None = None) -> RegistrationOutcome:
    return register_worker(by=by, data=data or worker_input(), consent_given=True)


def test_registration_stores_the_nik_encrypted_and_never_in_clear(kepling_user: User) -> None:
    data = worker_input()
    outcome = register(kepling_user, data)
    assert outcome.status == "registered"
    worker = Worker.objects.get()
    assert decrypt_text(worker.nik_encrypted) == data.nik
    assert worker.nik_hash == lookup_hash(data.nik)
    assert worker.nik_masked == "1271********0001"
    row = json.dumps(list(Worker.objects.values()), default=str)
    audit_rows = json.dumps(list(AuditLog.objects.values()), default=str)
    assert data.nik not in row
    assert data.nik not in audit_rows
    assert "1271********0001" in audit_rows


def test_registration_records_consent_credit_and_ancestors(city: City, kepling_user: User) -> None:
    outcome = register(kepling_user, worker_input(nama="  budi   SANTOSO "))
    worker = outcome.worker
    assert worker is not None
    assert worker.nama == "budi SANTOSO"
    assert worker.name_key == "budi santoso"
    assert worker.consent_by == kepling_user
    assert worker.consent_version == "2025-05-v1"
    assert worker.credited_kepling == kepling_user
    assert worker.registered_by == kepling_user
    lingkungan = city.lingkungan[0]
    assert (worker.kelurahan_id, worker.kecamatan_id, worker.kota_id) == (
        lingkungan.kelurahan_id,
        lingkungan.kecamatan_id,
        lingkungan.kota_id,
    )
    audit = AuditLog.objects.get(action="worker_registered")
    assert audit.actor == kepling_user
    assert audit.object_id == str(worker.pk)
    stale = StaleSummary.objects.get()
    assert (stale.lingkungan_id, stale.since) == (lingkungan.pk, REGISTERED_ON)


def test_registration_without_consent_is_refused(kepling_user: User) -> None:
    audit_count = AuditLog.objects.count()
    outcome = register_worker(by=kepling_user, data=worker_input(), consent_given=False)
    assert outcome.status == "rejected"
    assert [c for c, _ in outcome.errors] == ["consent"]
    assert not Worker.objects.exists()
    assert AuditLog.objects.count() == audit_count


def test_rejected_data_changes_nothing(kepling_user: User) -> None:
    audit_count = AuditLog.objects.count()
    outcome = register(kepling_user, worker_input(penghasilan=10))
    assert outcome.status == "rejected"
    assert not Worker.objects.exists()
    assert AuditLog.objects.count() == audit_count
    assert not StaleSummary.objects.exists()


def test_a_kepling_cannot_register_in_another_lingkungan(kepling_user: User) -> None:
    outcome = register(kepling_user, worker_input(kode_lingkungan="12.71.01.1001.02"))
    assert outcome.status == "rejected"
    assert outcome.errors == [("kode_lingkungan", "You may not register workers in lingkungan 12.71.01.1001.02.")]


def test_read_only_roles_cannot_register(city: City) -> None:
    pimpinan = make_user("pimpinan", Role.PIMPINAN, city.kota)
    outcome = register(pimpinan)
    assert outcome.status == "rejected"
    assert [c for c, _ in outcome.errors] == ["kode_lingkungan"]


def test_the_same_nik_from_the_same_lingkungan_is_already_present(kepling_user: User) -> None:
    first = register(kepling_user)
    audit_count = AuditLog.objects.count()
    again = register(kepling_user, worker_input(nama="Budi S."))
    assert again.status == "already_present"
    assert again.worker == first.worker
    assert Worker.objects.get().nama == "Budi Santoso"
    assert AuditLog.objects.count() == audit_count
    assert not AttributionConflict.objects.exists()


def test_the_same_nik_from_another_kepling_opens_one_conflict_and_the_first_keeps_credit(
    kepling_user: User, other_kepling: User
) -> None:
    first = register(kepling_user)
    claim = worker_input(kode_lingkungan="12.71.01.1001.02")
    outcome = register(other_kepling, claim)
    assert outcome.status == "conflict"
    assert outcome.conflict_opened
    assert [c for c, _ in outcome.warnings] == ["nik"]
    conflict = AttributionConflict.objects.get()
    assert conflict.worker == first.worker
    assert conflict.claimant == other_kepling
    assert conflict.status == DecisionStatus.OPEN
    assert claim.nik not in json.dumps(conflict.submitted)
    assert Worker.objects.get().credited_kepling == kepling_user
    again = register(other_kepling, claim)
    assert again.status == "conflict"
    assert not again.conflict_opened
    assert AttributionConflict.objects.count() == 1


def test_resolving_a_conflict_with_transfer_moves_the_credit_and_is_audited(
    kepling_user: User, other_kepling: User, lurah: User
) -> None:
    register(kepling_user)
    conflict = register(other_kepling, worker_input(kode_lingkungan="12.71.01.1001.02")).conflict
    assert conflict is not None
    resolve_attribution_conflict(
        by=lurah, conflict=conflict, transfer=True, reason="Kepling B registered first on paper"
    )
    worker = Worker.objects.get()
    assert worker.credited_kepling == other_kepling
    assert worker.lingkungan.kode == "12.71.01.1001.01"
    conflict.refresh_from_db()
    assert (conflict.status, conflict.decided_by) == (DecisionStatus.TRANSFERRED, lurah)
    transfer = AuditLog.objects.get(action="worker_credit_transferred")
    assert transfer.actor == lurah
    assert transfer.old_values == {"credited_kepling": "kepling-a"}
    assert transfer.new_values == {"credited_kepling": "kepling-b"}
    assert AuditLog.objects.filter(action="attribution_conflict_decided").count() == 1
    with pytest.raises(AlreadyDecidedError, match="already been decided"):
        resolve_attribution_conflict(by=lurah, conflict=conflict, transfer=False, reason="again")


def test_keeping_the_credit_leaves_the_worker_alone(kepling_user: User, other_kepling: User, camat: User) -> None:
    register(kepling_user)
    conflict = register(other_kepling, worker_input(kode_lingkungan="12.71.01.1001.02")).conflict
    assert conflict is not None
    resolve_attribution_conflict(by=camat, conflict=conflict, transfer=False, reason="first come")
    assert Worker.objects.get().credited_kepling == kepling_user
    conflict.refresh_from_db()
    assert conflict.status == DecisionStatus.KEPT


def test_only_a_lurah_camat_or_admin_over_both_sides_may_decide(
    city: City, kepling_user: User, other_kepling: User
) -> None:
    register(kepling_user)
    conflict = register(other_kepling, worker_input(kode_lingkungan="12.71.01.1001.02")).conflict
    assert conflict is not None
    other_lurah = make_user("lurah-lain", Role.LURAH, city.kelurahan[1])
    for user in (kepling_user, other_kepling, other_lurah):
        with pytest.raises(PermissionDenied):
            resolve_attribution_conflict(by=user, conflict=conflict, transfer=True, reason="mine")
    assert Worker.objects.get().credited_kepling == kepling_user


def test_a_conflict_across_kelurahan_is_for_the_camat(city: City, kepling_user: User, lurah: User) -> None:
    register(kepling_user)
    far_kepling = make_user("kepling-c", Role.KEPLING, city.node("12.71.01.1002.01"))
    conflict = register(far_kepling, worker_input(kode_lingkungan="12.71.01.1002.01")).conflict
    assert conflict is not None
    with pytest.raises(PermissionDenied):
        resolve_attribution_conflict(by=lurah, conflict=conflict, transfer=True, reason="x")


def test_same_name_and_birth_date_under_another_nik_is_registered_and_flagged(kepling_user: User, lurah: User) -> None:
    first = register(kepling_user)
    second = register(kepling_user, worker_input(serial=2, nama="BUDI  santoso"))
    assert second.status == "registered"
    assert [c for c, _ in second.warnings] == ["nama"]
    item = LikelyDuplicate.objects.get()
    assert (item.worker, item.other) == (second.worker, first.worker)
    resolve_likely_duplicate(by=lurah, item=item, is_duplicate=False, reason="twins")
    item.refresh_from_db()
    assert (item.status, item.decided_by) == (DecisionStatus.NOT_DUPLICATE, lurah)
    assert AuditLog.objects.filter(action="likely_duplicate_decided").count() == 1
    with pytest.raises(PermissionDenied):
        resolve_likely_duplicate(by=kepling_user, item=item, is_duplicate=True, reason="x")


def test_a_decision_needs_a_reason(kepling_user: User, lurah: User) -> None:
    register(kepling_user)
    register(kepling_user, worker_input(serial=2))
    item = LikelyDuplicate.objects.get()
    with pytest.raises(InvalidWorkerDataError):
        resolve_likely_duplicate(by=lurah, item=item, is_duplicate=True, reason="  ")


def test_credit_goes_to_the_kepling_in_office_on_the_registration_date_and_survives_a_new_term(
    city: City, kepling_user: User, admin_kota: User
) -> None:
    lingkungan = city.lingkungan[0]
    successor = make_user("kepling-baru", Role.KEPLING, lingkungan)
    KeplingTerm.objects.create(
        kepling=kepling_user, lingkungan=lingkungan, start=datetime.date(2023, 1, 1), end=datetime.date(2025, 8, 31)
    )
    KeplingTerm.objects.create(kepling=successor, lingkungan=lingkungan, start=datetime.date(2025, 9, 1))
    early = register(admin_kota, worker_input(tanggal_daftar=datetime.date(2025, 6, 2)))
    late = register(admin_kota, worker_input(serial=2, nama="Siti", tanggal_daftar=datetime.date(2025, 9, 10)))
    assert early.worker is not None and late.worker is not None
    early.worker.refresh_from_db()
    assert early.worker.credited_kepling == kepling_user
    assert late.worker.credited_kepling == successor


def test_a_named_kepling_gets_the_credit(city: City, kepling_user: User, admin_kota: User) -> None:
    outcome = register(admin_kota, worker_input(kepling="kepling-a"))
    assert outcome.worker is not None and outcome.worker.credited_kepling == kepling_user
    bad = register(admin_kota, worker_input(serial=2, kepling="lurah-x"))
    assert bad.errors == [("kepling", "'lurah-x' is not an active Kepling account.")]


def test_update_corrects_data_audits_old_and_new_and_refuses_the_nik(kepling_user: User) -> None:
    worker = register(kepling_user).worker
    assert worker is not None
    update_worker(by=kepling_user, worker=worker, changes={"no_hp": "0813 1111 2222", "penghasilan": 3_000_000})
    worker.refresh_from_db()
    assert (worker.no_hp, worker.penghasilan) == ("+6281311112222", 3_000_000)
    entry = AuditLog.objects.get(action="worker_updated")
    assert entry.old_values == {"no_hp": "+6281234567890", "penghasilan": 2_000_000}
    assert entry.new_values == {"no_hp": "+6281311112222", "penghasilan": 3_000_000}
    with pytest.raises(InvalidWorkerDataError):
        update_worker(by=kepling_user, worker=worker, changes={"nik": make_nik(datetime.date(1990, 1, 1))})
    with pytest.raises(InvalidWorkerDataError) as bad:
        update_worker(by=kepling_user, worker=worker, changes={"penghasilan": 5})
    assert [c for c, _ in bad.value.errors] == ["penghasilan"]


def test_update_of_another_kepling_s_worker_is_a_404(kepling_user: User, other_kepling: User) -> None:
    worker = register(kepling_user).worker
    assert worker is not None
    with pytest.raises(Http404):
        update_worker(by=other_kepling, worker=worker, changes={"nama": "X"})
    with pytest.raises(Http404):
        withdraw_worker(by=other_kepling, worker=worker, on=REGISTERED_ON, reason="x")


def test_moving_a_worker_updates_ancestors_but_not_the_credit(city: City, kepling_user: User, lurah: User) -> None:
    worker = register(kepling_user).worker
    assert worker is not None
    update_worker(by=lurah, worker=worker, changes={"kode_lingkungan": "12.71.01.1001.02"})
    worker.refresh_from_db()
    assert worker.lingkungan == city.lingkungan[1]
    assert worker.credited_kepling == kepling_user
    assert set(StaleSummary.objects.values_list("lingkungan_id", flat=True)) == {
        city.lingkungan[0].pk,
        city.lingkungan[1].pk,
    }


def test_withdrawal_is_dated_and_audited(kepling_user: User) -> None:
    worker = register(kepling_user).worker
    assert worker is not None
    withdraw_worker(by=kepling_user, worker=worker, on=datetime.date(2025, 7, 1), reason="moved away")
    worker.refresh_from_db()
    assert worker.withdrawn_on == datetime.date(2025, 7, 1)
    assert AuditLog.objects.get(action="worker_withdrawn").note == "moved away"
