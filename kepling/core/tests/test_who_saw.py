"""Every page that shows a person is audited once, and /audit/?worker= finds every entry about them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.core.models import AuditLog
from kepling.reconciliation.models import ItemKind, ReconciliationItem
from kepling.regions.models import KeplingTerm
from kepling.reminders.models import MessageStatus, OutboxMessage, ReminderRule
from kepling.testing import City, make_worker

pytestmark = pytest.mark.django_db
NIK = "1271011505907777"


def test_who_saw_this_person_answers_completely(
    city: City, kepling_user: User, lurah: User, admin_kota: User
) -> None:
    worker = make_worker(city.lingkungan[0], credited_kepling=kepling_user)
    others = [make_worker(city.lingkungan[0]) for _ in range(3)]
    kepling = Client()
    kepling.force_login(kepling_user)
    head = Client()
    head.force_login(lurah)
    before = AuditLog.objects.count()
    assert kepling.get("/pekerja/").status_code == 200
    assert kepling.get(f"/pekerja/{worker.pk}/").status_code == 200
    assert head.get(f"/dasbor/{city.lingkungan[0].kode}/").status_code == 200
    _token, key = create_api_token(by=lurah, user=lurah, name="t")
    assert Client().get("/api/v1/workers", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    # One row per page, not per worker shown: four pages (and the token's own row).
    assert AuditLog.objects.count() - before <= 6
    admin = Client()
    admin.force_login(admin_kota)
    page = admin.get("/audit/", {"worker": worker.pk})
    assert page.status_code == 200
    seen_by = {(row.actor.username if row.actor else "", row.action) for row in page.context["page"]}
    assert ("kepling-a", "personal_data_viewed") in seen_by
    assert ("kepling-a", "worker_viewed") in seen_by
    assert ("lurah", "worker_list_viewed") in seen_by
    assert ("lurah", "api_view") in seen_by
    untouched = admin.get("/audit/", {"worker": others[0].pk + 1000})
    assert list(untouched.context["page"]) == []
    assert admin.get("/audit/", {"worker": "x"}).status_code in (200, 400)


# Every page, download and API operation that shows a worker's name, phone, NIK or income:
# (persona, method, path, data). Each must write an audit row naming the worker as a subject.
WORKER_READS = [
    ("kepling_user", "get", "/pekerja/", None),
    ("kepling_user", "get", "/pekerja/{worker}/", None),
    ("kepling_user", "post", "/pekerja/{worker}/nik/", None),
    ("kepling_user", "get", "/pekerja/{worker}/ubah/", None),
    ("lurah", "get", "/dasbor/{lingkungan}/", None),
    ("lurah", "get", "/dasbor/{lingkungan}/", {"unduh": "csv"}),
    ("lurah", "get", "/dasbor/cari/", {"q": "Saksi"}),
    ("admin_kota", "get", "/rekonsiliasi/", None),
    ("admin_kota", "get", "/rekonsiliasi/", {"unduh": "xlsx"}),
    ("admin_kota", "get", "/rekonsiliasi/{item}/", None),
    ("admin_kota", "get", "/pengingat/gagal/", None),
    ("admin_kota", "post", "/pekerja/subjek/", {"nik": "{nik}", "action": "export"}),
    ("lurah", "api", "/api/v1/workers", None),
    ("lurah", "api", "/api/v1/workers/{worker}", None),
    ("lurah", "api", "/api/v1/workers/{worker}/months", None),
    ("lurah", "api", "/api/v1/workers/{worker}/payments", None),
]
# Pages that list Kepling with their name and phone: the row keeps the accounts shown.
KEPLING_READS = [
    ("lurah", "/dasbor/"),
    ("lurah", "/dasbor/kepling/"),
    ("lurah", "/akun/kepling/"),
]


def test_every_read_of_personal_data_is_audited_and_found_by_worker(
    city: City, kepling_user: User, lurah: User, admin_kota: User
) -> None:
    worker = make_worker(city.lingkungan[0], credited_kepling=kepling_user, nama="Saksi Satu", nik=NIK)
    item = ReconciliationItem.objects.create(
        key="test-underpaid", kind=ItemKind.UNDERPAID_MONTH, worker=worker, kelurahan=city.kelurahan[0],
        kecamatan=city.kecamatan[0], kota=city.kota, details={"periode": "2025-06-01"},
    )
    OutboxMessage.objects.create(
        worker=worker, rule=ReminderRule.objects.first(), periode=datetime.date(2025, 6, 1), channel="gateway",
        to=worker.no_hp, status=MessageStatus.FAILED, queued_on=datetime.date(2025, 6, 10),
        kelurahan=city.kelurahan[0], lingkungan=city.lingkungan[0],
    )
    KeplingTerm.objects.create(kepling=kepling_user, lingkungan=city.lingkungan[0], start=datetime.date(2025, 5, 14))
    people = {"kepling_user": kepling_user, "lurah": lurah, "admin_kota": admin_kota}
    clients = {name: _signed_in(user) for name, user in people.items()}
    token = {"Authorization": f"Bearer {create_api_token(by=lurah, user=lurah, name='t')[1]}"}
    values = {"worker": worker.pk, "item": item.pk, "lingkungan": city.lingkungan[0].kode, "nik": NIK}
    unaudited: list[str] = []
    seen: list[int] = []
    for who, method, template, data in WORKER_READS:
        path = template.format(**values)
        body = {k: v.format(**values) for k, v in (data or {}).items()}
        newest = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        call = getattr(clients[who], method) if method != "api" else Client(headers=token).get
        response = call(path, body)
        assert response.status_code == 200, (path, response.status_code)
        rows = AuditLog.objects.filter(pk__gt=newest, subjects__worker_id=worker.pk).distinct()
        if not rows.exists():
            unaudited.append(f"{method} {template} {data or ''}")
        seen.extend(rows.values_list("pk", flat=True))
    assert unaudited == []
    for who, path in KEPLING_READS:
        newest = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        assert clients[who].get(path).status_code == 200, path
        rows = AuditLog.objects.filter(pk__gt=newest, action="personal_data_viewed")
        assert any(kepling_user.pk in (row.new_values or {}).get("accounts", []) for row in rows), path
    listed = clients["admin_kota"].get("/audit/", {"worker": worker.pk})
    assert listed.status_code == 200
    assert set(seen) <= set(listed.context["page"].paginator.object_list.values_list("pk", flat=True))


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
