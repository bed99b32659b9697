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
    assert [c for c, _ in response.context["conflicts"]] == [conflict]
    assert [d for d, _ in response.context["duplicates"]] == [duplicate]
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
