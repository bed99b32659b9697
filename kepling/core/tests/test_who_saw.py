"""Every page that shows a person is audited once, and /audit/?worker= finds every entry about them."""

from __future__ import annotations

import pytest
from django.test import Client

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.core.models import AuditLog
from kepling.testing import City, make_worker

pytestmark = pytest.mark.django_db


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
