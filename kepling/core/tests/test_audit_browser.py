"""The audit log browser at /audit/: city administrators only, filtered and paginated."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from kepling.accounts.models import User
from kepling.core import audit
from kepling.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(kepling_user: User, lurah: User) -> list[AuditLog]:
    """Three events by two users on two workers."""
    return [
        audit.record(
            actor=kepling_user, action="worker_registered", object_type="worker", object_id=11
        ),
        audit.record(actor=lurah, action="worker_viewed", object_type="worker", object_id=11),
        audit.record(
            actor=lurah,
            action="export_downloaded",
            object_type="report",
            object_id="r-2",
            note="Capaian kelurahan",
        ),
    ]


def set_time(row: AuditLog, when: datetime.datetime) -> None:
    AuditLog.objects.filter(pk=row.pk).update(at=when)  # rows are append-only; tests move the clock


def rows_shown(html: str) -> list[str]:
    return [a for a in ("worker_registered", "worker_viewed", "export_downloaded") if f'data-action="{a}"' in html]


def test_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


@pytest.mark.parametrize("persona", ["kepling_user", "lurah", "camat", "pimpinan", "petugas_bpjs"])
def test_other_roles_get_403(client: Client, request: pytest.FixtureRequest, persona: str) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()


def test_admin_kota_sees_newest_first(
    client: Client, admin_kota: User, trail: list[AuditLog]
) -> None:
    client.force_login(admin_kota)
    response = client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Log audit" in html
    positions = [html.index(f'data-action="{a}"') for a in ("export_downloaded", "worker_viewed", "worker_registered")]
    assert positions == sorted(positions)
    assert "kepling-a" in html and "lurah" in html
    assert "Capaian kelurahan" in html


def test_filter_by_actor(client: Client, admin_kota: User, trail: list[AuditLog]) -> None:
    client.force_login(admin_kota)
    html = client.get("/audit/", {"actor": "LURAH"}).content.decode()
    assert rows_shown(html) == ["worker_viewed", "export_downloaded"]


def test_filter_by_action(client: Client, admin_kota: User, trail: list[AuditLog]) -> None:
    client.force_login(admin_kota)
    html = client.get("/audit/", {"action": "worker_viewed"}).content.decode()
    assert 'data-action="worker_viewed"' in html
    assert 'data-action="worker_registered"' not in html


def test_filter_by_object_answers_who_saw_a_worker(
    client: Client, admin_kota: User, trail: list[AuditLog]
) -> None:
    client.force_login(admin_kota)
    html = client.get("/audit/", {"object_type": "worker", "object_id": "11"}).content.decode()
    assert rows_shown(html) == ["worker_registered", "worker_viewed"]


def test_filter_by_date_range_in_jakarta_days(
    client: Client, admin_kota: User, trail: list[AuditLog]
) -> None:
    jakarta = timezone.get_default_timezone()
    set_time(trail[0], datetime.datetime(2025, 10, 1, 9, 0, tzinfo=jakarta))
    set_time(trail[1], datetime.datetime(2025, 10, 29, 0, 30, tzinfo=jakarta))  # 28 Oct in UTC
    set_time(trail[2], datetime.datetime(2025, 11, 2, 9, 0, tzinfo=jakarta))
    client.force_login(admin_kota)
    html = client.get(
        "/audit/", {"date_from": "2025-10-29", "date_to": "2025-10-31"}
    ).content.decode()
    assert rows_shown(html) == ["worker_viewed"]
    assert "29 Oktober 2025" in html


def test_reversed_date_range_is_refused_with_a_message(
    client: Client, admin_kota: User, trail: list[AuditLog]
) -> None:
    client.force_login(admin_kota)
    html = client.get(
        "/audit/", {"date_from": "2025-11-01", "date_to": "2025-10-01"}
    ).content.decode()
    assert "Tanggal awal setelah tanggal akhir" in html
    assert rows_shown(html) == []


def test_pages_of_fifty_keep_the_filter(client: Client, admin_kota: User) -> None:
    AuditLog.objects.bulk_create(
        AuditLog(actor=admin_kota, action="worker_viewed", object_type="worker", object_id=str(i))
        for i in range(120)
    )
    client.force_login(admin_kota)
    first = client.get("/audit/", {"action": "worker_viewed"})
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 120
    html = first.content.decode()
    assert "Halaman 1 dari 3" in html
    assert "?action=worker_viewed&amp;page=2" in html
    last = client.get("/audit/", {"action": "worker_viewed", "page": "3"})
    assert len(last.context["page"].object_list) == 20
