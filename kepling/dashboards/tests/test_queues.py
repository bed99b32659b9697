"""The review queues: open attribution conflicts and likely duplicates, decided with a reason and audited."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog
from kepling.testing import City, make_user, make_worker
from kepling.workers.models import AttributionConflict, DecisionStatus, LikelyDuplicate, Worker


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def conflict(city: City, kepling_user: User, other_kepling: User) -> AttributionConflict:
    worker = make_worker(city.lingkungan[0], credited_kepling=kepling_user)
    return AttributionConflict.objects.create(
        worker=worker,
        claimant=other_kepling,
        claimant_lingkungan=city.lingkungan[1],
        kelurahan=city.kelurahan[0],
        claimed_on=datetime.date(2025, 7, 1),
    )


@pytest.fixture
def duplicate(city: City) -> LikelyDuplicate:
    first = make_worker(city.lingkungan[0], nama="Budi Santoso")
    second = make_worker(city.lingkungan[1], nama="Budi Santoso")
    return LikelyDuplicate.objects.create(worker=second, other=first, kelurahan=city.kelurahan[0])


def test_the_lurah_sees_the_open_cases_of_the_area(
    lurah: User, conflict: AttributionConflict, duplicate: LikelyDuplicate
) -> None:
    response = signed_in(lurah).get("/dasbor/antrean/")
    assert response.status_code == 200
    assert [c.pk for c, _ in response.context["conflicts"]] == [conflict.pk]
    assert [d.pk for d, _ in response.context["duplicates"]] == [duplicate.pk]
    assert f'href="/pekerja/{conflict.worker_id}/"' in response.content.decode()


def test_another_lurah_sees_nothing_and_cannot_decide(city: City, conflict: AttributionConflict) -> None:
    other = make_user("lurah-lain", Role.LURAH, city.kelurahan[3])
    client = signed_in(other)
    assert client.get("/dasbor/antrean/").context["conflicts"] == []
    response = client.post(
        f"/dasbor/antrean/konflik/{conflict.pk}/",
        {f"c{conflict.pk}-decision": "transfer", f"c{conflict.pk}-reason": "x"},
    )
    assert response.status_code == 404
    conflict.refresh_from_db()
    assert conflict.status == DecisionStatus.OPEN


@pytest.mark.parametrize("persona", ["kepling_user", "pimpinan", "petugas_bpjs"])
def test_roles_that_do_not_decide_get_403(
    request: pytest.FixtureRequest, persona: str, conflict: AttributionConflict
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    assert client.get("/dasbor/antrean/").status_code == 403
    response = client.post(
        f"/dasbor/antrean/konflik/{conflict.pk}/", {f"c{conflict.pk}-decision": "keep", f"c{conflict.pk}-reason": "x"}
    )
    assert response.status_code == 403


def test_transferring_the_credit_is_recorded_and_audited(
    lurah: User, other_kepling: User, conflict: AttributionConflict
) -> None:
    response = signed_in(lurah).post(
        f"/dasbor/antrean/konflik/{conflict.pk}/",
        {f"c{conflict.pk}-decision": "transfer", f"c{conflict.pk}-reason": "Registered first on paper"},
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == DecisionStatus.TRANSFERRED and conflict.decided_by == lurah
    assert Worker.objects.get(pk=conflict.worker_id).credited_kepling == other_kepling
    decided = AuditLog.objects.get(action="attribution_conflict_decided")
    assert decided.actor == lurah and decided.note == "Registered first on paper"


def test_a_decision_without_a_reason_changes_nothing(lurah: User, conflict: AttributionConflict) -> None:
    response = signed_in(lurah).post(
        f"/dasbor/antrean/konflik/{conflict.pk}/",
        {f"c{conflict.pk}-decision": "transfer", f"c{conflict.pk}-reason": " "},
        follow=True,
    )
    assert len(list(response.context["messages"])) == 1
    conflict.refresh_from_db()
    assert conflict.status == DecisionStatus.OPEN
    assert not AuditLog.objects.filter(action="attribution_conflict_decided").exists()


def test_a_camat_dismisses_a_likely_duplicate(camat: User, duplicate: LikelyDuplicate) -> None:
    response = signed_in(camat).post(
        f"/dasbor/antrean/duplikat/{duplicate.pk}/",
        {f"d{duplicate.pk}-decision": "not_duplicate", f"d{duplicate.pk}-reason": "Twins, different NIK"},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == DecisionStatus.NOT_DUPLICATE
    audit = AuditLog.objects.get(action="likely_duplicate_decided")
    assert audit.actor == camat and audit.note == "Twins, different NIK"
    assert signed_in(camat).get("/dasbor/antrean/").context["duplicates"] == []


def test_a_case_reaching_outside_the_area_shows_nothing_of_the_other_side(city: City) -> None:
    """A Kepling of kecamatan 01 claims a NIK registered in kecamatan 02: her Lurah sees only the claim."""
    far_kepling = make_user("kepling-far", Role.KEPLING, city.lingkungan[4])
    claimant = make_user("kepling-near", Role.KEPLING, city.lingkungan[0])
    registered = make_worker(city.lingkungan[4], nama="Rahasia Jauh", credited_kepling=far_kepling)
    conflict = AttributionConflict.objects.create(
        worker=registered,
        claimant=claimant,
        claimant_lingkungan=city.lingkungan[0],
        kelurahan=registered.kelurahan,
        claimed_on=datetime.date(2025, 7, 1),
        submitted={"nama": "Nama Diketik", "kode_lingkungan": city.lingkungan[0].kode},
    )
    twin = make_worker(city.lingkungan[0], nama="Rahasia Jauh")
    LikelyDuplicate.objects.create(worker=twin, other=registered, kelurahan=twin.kelurahan)
    lurah = make_user("lurah-dekat", Role.LURAH, city.kelurahan[0])
    page = signed_in(lurah).get("/dasbor/antrean/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Nama Diketik" in text
    for secret in (city.lingkungan[4].kode, far_kepling.username, f"/pekerja/{registered.pk}/"):
        assert secret not in text
    case, _form = page.context["conflicts"][0]
    assert not case.first.visible and not case.decidable
    assert f"/dasbor/antrean/konflik/{conflict.pk}/" not in text
    city_admin = make_user("admin-2", Role.ADMIN_KOTA, city.kota)
    everything = signed_in(city_admin).get("/dasbor/antrean/").content.decode()
    assert city.lingkungan[4].kode in everything and f"/dasbor/antrean/konflik/{conflict.pk}/" in everything


def test_transferring_to_no_claimant_says_so_not_already_decided(city: City, lurah: User, kepling_user: User) -> None:
    worker = make_worker(city.lingkungan[0], credited_kepling=kepling_user)
    conflict = AttributionConflict.objects.create(
        worker=worker, claimant=None, claimant_lingkungan=city.lingkungan[1], kelurahan=city.kelurahan[0],
        claimed_on=datetime.date(2025, 7, 1),
    )
    client = signed_in(lurah)
    response = client.post(
        f"/dasbor/antrean/konflik/{conflict.pk}/",
        {f"c{conflict.pk}-decision": "transfer", f"c{conflict.pk}-reason": "pindah"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert not any("already" in m or "sudah diputuskan" in m for m in shown), shown
    assert len(shown) == 1
    conflict.refresh_from_db()
    assert conflict.status == DecisionStatus.OPEN
