"""The audit log speaks Indonesian: who did what to whom, with the changed fields' labels, filtered by worker."""

from __future__ import annotations

from django.test import Client

from kepling.accounts.models import User
from kepling.core import audit
from kepling.core.models import AuditLog


def test_rows_read_as_sentences_with_field_labels(client: Client, admin_kota: User, lurah: User) -> None:
    audit.record(actor=lurah, action="worker_updated", object_type="worker", object_id=11,
                 old={"no_hp": "+6281111111111"}, new={"no_hp": "+6282222222222"})
    audit.record(actor=lurah, action="one_time_password_issued", object_type="user", object_id=5,
                 new={"must_change_password": True})
    client.force_login(admin_kota)
    html = client.get("/audit/").content.decode()
    assert "mengubah pekerja #11" in html
    assert "Nomor HP" in html and "+6281111111111 → +6282222222222" in html
    assert "memberikan kata sandi sekali pakai baru kepada akun #5" in html
    assert "{&#x27;" not in html and "{'" not in html  # no Python dicts on the page


def test_filter_by_worker_lists_every_row_about_them(client: Client, admin_kota: User, lurah: User) -> None:
    for worker_id in (11, 11, 12):
        audit.record(actor=lurah, action="worker_viewed", object_type="worker", object_id=worker_id)
    client.force_login(admin_kota)
    page = client.get("/audit/", {"worker": "11"})
    assert page.context["page"].paginator.count == AuditLog.objects.filter(object_id="11").count() == 2
    assert client.get("/audit/", {"worker": "x"}).context["page"].paginator.count == 0
