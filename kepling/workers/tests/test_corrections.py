"""Correcting a worker over HTTP: who may change what, one action each, audited old and new values."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kepling.accounts.models import User
from kepling.core.models import AuditLog
from kepling.testing import City, make_worker
from kepling.workers.models import Worker


def error_texts(html: str) -> str:
    """The text of every error list on a page: what the person reads next to the fields."""
    blocks = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</(?:ul|p)>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", block) for block in blocks)


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


@pytest.fixture
def worker(city: City, kepling_user: User) -> Worker:
    return make_worker(city.lingkungan[0], nama="Siti Salah Eja", credited_kepling=kepling_user, no_hp="+6281211112222")


def test_the_crediting_kepling_corrects_name_and_phone(kepling_user: User, worker: Worker) -> None:
    url = reverse("workers:correct_contact", args=[worker.pk])
    response = client_for(kepling_user).post(url, {"kontak-nama": "Siti Salah Eja", "kontak-no_hp": "0813 9999 8888"})
    assert response.status_code == 302 and response["Location"] == reverse("workers:detail", args=[worker.pk])
    worker.refresh_from_db()
    assert worker.no_hp == "+6281399998888"
    audit = AuditLog.objects.get(action="worker_updated", object_id=str(worker.pk))
    assert audit.old_values == {"no_hp": "+6281211112222"} and audit.new_values == {"no_hp": "+6281399998888"}


def test_a_bad_phone_says_the_field_label_not_the_column(kepling_user: User, worker: Worker) -> None:
    url = reverse("workers:correct_contact", args=[worker.pk])
    response = client_for(kepling_user).post(url, {"kontak-nama": "Siti", "kontak-no_hp": "12"})
    errors = error_texts(response.content.decode())
    assert response.status_code == 400
    assert "no_hp" not in errors and "Nomor HP" in errors
    worker.refresh_from_db()
    assert worker.no_hp == "+6281211112222" and worker.nama == "Siti Salah Eja"
    assert not AuditLog.objects.filter(action="worker_updated").exists()


def test_contribution_data_needs_a_reason_kept_in_the_audit_log(kepling_user: User, worker: Worker) -> None:
    url = reverse("workers:correct_basis", args=[worker.pk])
    data = {"iuran-penghasilan": "2.000.000", "iuran-program": "JKK-JKM", "iuran-sektor": "lainnya",
            "iuran-sumber_iuran": "mandiri"}
    client = client_for(kepling_user)
    assert client.post(url, data).status_code == 400
    worker.refresh_from_db()
    assert worker.penghasilan == 1_000_000
    response = client.post(url, {**data, "iuran-alasan": "Salah ketik saat mendaftar"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.penghasilan == 2_000_000
    audit = AuditLog.objects.get(action="worker_updated", object_id=str(worker.pk))
    assert audit.old_values == {"penghasilan": 1_000_000} and audit.new_values == {"penghasilan": 2_000_000}
    assert audit.note == "Salah ketik saat mendaftar"


def test_an_income_out_of_range_is_worded_with_the_label(kepling_user: User, worker: Worker) -> None:
    url = reverse("workers:correct_basis", args=[worker.pk])
    data = {"iuran-penghasilan": "500.000", "iuran-program": "JKK-JKM", "iuran-sektor": "lainnya",
            "iuran-sumber_iuran": "mandiri", "iuran-alasan": "x"}
    errors = error_texts(client_for(kepling_user).post(url, data).content.decode())
    assert "penghasilan " not in errors and errors.strip().startswith("Penghasilan")
    assert "Rp1.000.000" in errors


def test_another_kepling_may_not_correct(other_kepling: User, city: City, kepling_user: User) -> None:
    # Same lingkungan as the other Kepling, but credited to someone else: no correction.
    theirs = make_worker(city.lingkungan[1], credited_kepling=kepling_user)
    client = client_for(other_kepling)
    assert client.get(reverse("workers:correct", args=[theirs.pk])).status_code == 403
    url = reverse("workers:correct_contact", args=[theirs.pk])
    assert client.post(url, {"kontak-nama": "X", "kontak-no_hp": ""}).status_code == 403


def test_withdraw_and_reinstate(kepling_user: User, worker: Worker) -> None:
    client = client_for(kepling_user)
    assert client.post(reverse("workers:withdraw", args=[worker.pk]), {}).status_code == 400
    response = client.post(reverse("workers:withdraw", args=[worker.pk]), {"keluar-alasan": "moved_away"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.withdrawn_on == timezone.localdate()
    withdrawn = AuditLog.objects.get(action="worker_withdrawn", object_id=str(worker.pk))
    assert withdrawn.old_values == {"withdrawn_on": None} and withdrawn.note == "Pindah tempat tinggal"
    listed = client.get(reverse("workers:list")).content.decode()
    assert 'worker-item__name">Siti Salah Eja' not in listed
    withdrawn_list = client.get(reverse("workers:list") + "?status=withdrawn").content.decode()
    assert 'worker-item__name">Siti Salah Eja' in withdrawn_list
    assert client.post(reverse("workers:reinstate", args=[worker.pk])).status_code == 302
    worker.refresh_from_db()
    assert worker.withdrawn_on is None
    back = AuditLog.objects.get(action="worker_reinstated", object_id=str(worker.pk))
    assert back.new_values == {"withdrawn_on": None}


def test_only_the_lurah_or_the_city_moves_a_worker(
    city: City, kepling_user: User, lurah: User, worker: Worker
) -> None:
    url = reverse("workers:move", args=[worker.pk])
    target = city.lingkungan[1]
    assert client_for(kepling_user).post(url, {"pindah-lingkungan": target.pk}).status_code == 403
    outside = next(node for node in city.lingkungan if node.kode.startswith("12.71.02"))
    assert client_for(lurah).post(url, {"pindah-lingkungan": outside.pk}).status_code == 400
    assert client_for(lurah).post(url, {"pindah-lingkungan": target.pk}).status_code == 302
    worker.refresh_from_db()
    assert worker.lingkungan == target and worker.credited_kepling == kepling_user
    moved = AuditLog.objects.get(action="worker_moved", object_id=str(worker.pk))
    assert moved.old_values == {"lingkungan": city.lingkungan[0].kode}
    assert moved.new_values == {"lingkungan": target.kode}


def test_the_correction_page_shows_only_what_the_user_may_do(
    kepling_user: User, lurah: User, worker: Worker
) -> None:
    mine = client_for(kepling_user).get(reverse("workers:correct", args=[worker.pk])).content.decode()
    assert 'id="kontak"' in mine and 'id="keluar"' in mine and 'id="pindah"' not in mine
    theirs = client_for(lurah).get(reverse("workers:correct", args=[worker.pk])).content.decode()
    assert 'id="pindah"' in theirs


def test_registration_date_problems_show_indonesian_dates(city: City, kepling_user: User) -> None:
    from kepling.workers.tests.test_views import form_data

    client = client_for(kepling_user)
    response = client.post(reverse("workers:register"), form_data(tanggal_daftar="2024-01-02"))
    errors = error_texts(response.content.decode())
    assert response.status_code == 400
    assert "tanggal_daftar" not in errors and "2025-05-14" not in errors and "14 Mei 2025" in errors
    assert not Worker.objects.exists()
