"""Scoped reads: each persona sees the workers of their own area, and nothing else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog
from kepling.testing import City, make_user
from kepling.workers.actions import register_worker
from kepling.workers.models import Worker
from kepling.workers.queries import (
    access_worker,
    conflicts_for,
    duplicates_for,
    find_by_nik,
    reveal_nik,
    workers_for,
)
from kepling.workers.tests.builders import worker_input


@pytest.fixture
def registry(city: City, admin_kota: User) -> dict[str, Worker]:
    """One worker in each of three lingkungan: 1001.01, 1001.02 and kecamatan 02's first."""
    workers = {}
    for serial, kode in enumerate(("12.71.01.1001.01", "12.71.01.1001.02", "12.71.02.1001.01"), 1):
        outcome = register_worker(
            by=admin_kota,
            data=worker_input(serial=serial, nama=f"Pekerja {serial}", kode_lingkungan=kode),
            consent_given=True,
        )
        assert outcome.worker is not None
        workers[kode] = outcome.worker
    return workers


def kodes(user: User) -> set[str]:
    return set(workers_for(user).values_list("lingkungan__kode", flat=True))


def test_each_role_sees_its_own_area(
    registry: dict[str, Worker], kepling_user: User, lurah: User, camat: User, admin_kota: User
) -> None:
    assert kodes(kepling_user) == {"12.71.01.1001.01"}
    assert kodes(lurah) == {"12.71.01.1001.01", "12.71.01.1001.02"}
    assert kodes(camat) == {"12.71.01.1001.01", "12.71.01.1001.02"}
    assert kodes(admin_kota) == set(registry)


def test_a_user_bound_to_nothing_sees_nothing(registry: dict[str, Worker]) -> None:
    stray = make_user("stray", Role.KEPLING, None)
    assert not workers_for(stray).exists()


def test_access_worker_gives_the_same_404_for_missing_and_not_yours(
    registry: dict[str, Worker], kepling_user: User, other_kepling: User
) -> None:
    mine = registry["12.71.01.1001.01"]
    assert access_worker(kepling_user, mine.pk) == mine
    for user, worker_id in ((other_kepling, mine.pk), (kepling_user, 999_999), (kepling_user, "abc")):
        with pytest.raises(Http404):
            access_worker(user, worker_id)


def test_find_by_nik_is_scoped(registry: dict[str, Worker], kepling_user: User, other_kepling: User) -> None:
    nik = worker_input(serial=1).nik
    assert find_by_nik(kepling_user, nik) == registry["12.71.01.1001.01"]
    assert find_by_nik(kepling_user, f"{nik[:4]} {nik[4:]}") == registry["12.71.01.1001.01"]
    assert find_by_nik(other_kepling, nik) is None


def test_revealing_a_nik_is_scoped_and_audited(
    registry: dict[str, Worker], kepling_user: User, other_kepling: User, city: City
) -> None:
    mine = registry["12.71.01.1001.01"]
    assert reveal_nik(kepling_user, mine) == worker_input(serial=1).nik
    entry = AuditLog.objects.get(action="nik_revealed")
    assert (entry.actor, entry.object_id) == (kepling_user, str(mine.pk))
    with pytest.raises(Http404):
        reveal_nik(other_kepling, mine)
    with pytest.raises(PermissionDenied):
        reveal_nik(make_user("pimpinan", Role.PIMPINAN, city.kota), mine)


def test_conflicts_and_duplicates_are_seen_from_both_sides_only(
    registry: dict[str, Worker], kepling_user: User, other_kepling: User, lurah: User, city: City
) -> None:
    register_worker(
        by=other_kepling,
        data=worker_input(serial=1, kode_lingkungan="12.71.01.1001.02"),
        consent_given=True,
    )
    register_worker(
        by=other_kepling,
        data=worker_input(serial=9, nama="Pekerja 1", kode_lingkungan="12.71.01.1001.02"),
        consent_given=True,
    )
    outsider = make_user("kepling-z", Role.KEPLING, city.node("12.71.02.1001.01"))
    for user in (kepling_user, other_kepling, lurah):
        assert conflicts_for(user).count() == 1
        assert duplicates_for(user).count() == 1
    assert not conflicts_for(outsider).exists()
    assert not duplicates_for(outsider).exists()
