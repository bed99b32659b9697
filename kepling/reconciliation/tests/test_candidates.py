"""Unmatched payments become actionable: matched after every import, candidates with evidence, one-step decisions."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kepling.contributions.ledger import record_payment
from kepling.contributions.models import Payment
from kepling.core.models import AuditLog
from kepling.imports.tests.helpers import PAYMENT_HEADER, UNKNOWN_NIK, write_csv
from kepling.reconciliation.models import ItemKind, ItemStatus, ReconciliationItem
from kepling.reconciliation.participants import import_participants_file
from kepling.testing import make_worker

pytestmark = pytest.mark.django_db
# The NIK UNKNOWN_NIK encodes 15-05-90 as its holder's birth date.
BORN = datetime.date(1990, 5, 15)


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def extract(tmp_path, rows, name="bayar.csv"):
    return write_csv(tmp_path / name, PAYMENT_HEADER, rows)


def upload_and_apply(client: Client, path) -> None:
    """The BPJS officer's web import: upload, check, apply (tasks run in the test process)."""
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    response = client.post(reverse("imports:upload", args=["payments"]), {"file": upload})
    job_id = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(reverse("imports:validate", args=[job_id]))
    client.post(reverse("imports:apply", args=[job_id]))


def test_an_import_through_the_web_fills_the_queue_without_a_command(city, petugas_bpjs, tmp_path):
    path = extract(tmp_path, [[UNKNOWN_NIK, "", "2025-09", "16800", "2025-09-10", "U-1"]])
    assert not ReconciliationItem.objects.exists()
    upload_and_apply(client_for(petugas_bpjs), path)
    item = ReconciliationItem.objects.get(kind=ItemKind.UNMATCHED_PAYMENT)
    assert item.status == ItemStatus.OPEN and item.details["referensi"] == "U-1"
    assert AuditLog.objects.filter(action="reconciliation_rebuilt").exists()


def test_the_import_command_also_matches_afterwards(city, tmp_path):
    path = extract(tmp_path, [[UNKNOWN_NIK, "", "2025-09", "16800", "2025-09-10", "U-1"]])
    call_command("import_payments", str(path))
    assert ReconciliationItem.objects.filter(kind=ItemKind.UNMATCHED_PAYMENT, status=ItemStatus.OPEN).count() == 1


@pytest.fixture
def unmatched(city, tmp_path):
    """A payment for a NIK no worker held, then three workers who may be its payer."""
    path = extract(tmp_path, [[UNKNOWN_NIK, "33333333333", "2025-09", "16800", "2025-09-10", "U-1"]])
    call_command("import_payments", str(path))
    import_participants_file(
        write_csv(tmp_path / "peserta.csv", ["nik", "kpj", "nama", "status", "per_tanggal"],
                  [[UNKNOWN_NIK, "33333333333", "Siti Aminah", "aktif", "2025-09-30"]])
    )
    by_nik = make_worker(
        city.lingkungan[0], nik=UNKNOWN_NIK, nama="Siti A.", tanggal_lahir=BORN, registered="2025-10-01"
    )
    by_kpj = make_worker(city.lingkungan[1], nik="1271014404850001", kpj="33333333333", nama="Orang Lain",
                         tanggal_lahir=datetime.date(1985, 4, 4))
    by_name = make_worker(city.node("12.71.02.1001.01"), nik="1271021505900007", nama="SITI AMINAH", tanggal_lahir=BORN)
    call_command("reconcile", "--as-of", "2025-10-29")
    item = ReconciliationItem.objects.get(kind=ItemKind.UNMATCHED_PAYMENT)
    return item, by_nik, by_kpj, by_name


def test_candidates_are_ranked_with_their_evidence_and_masked(unmatched, petugas_bpjs):
    item, by_nik, by_kpj, by_name = unmatched
    page = client_for(petugas_bpjs).get(reverse("reconciliation:item", args=[item.pk]))
    ranked = [c.worker for c in page.context["candidates"]]
    assert ranked == [by_nik, by_kpj, by_name]
    html = page.content.decode()
    assert "Same NIK" in html and "Same KPJ" in html and "birth date in the NIK" in html
    assert UNKNOWN_NIK not in html and by_nik.nik_masked in html
    assert AuditLog.objects.filter(action="reconciliation_item_viewed", actor=petugas_bpjs).exists()


def test_a_lurah_sees_only_candidates_of_his_area(unmatched, lurah):
    item, by_nik, _by_kpj, by_name = unmatched
    ReconciliationItem.objects.filter(pk=item.pk).update(kelurahan=by_nik.kelurahan)  # an item of his area
    page = client_for(lurah).get(reverse("reconciliation:item", args=[item.pk]))
    assert by_name not in [c.worker for c in page.context["candidates"]]
    assert by_name.nama not in page.content.decode()


def test_linking_a_candidate_is_one_step_and_changes_the_workers_figures(unmatched, petugas_bpjs):
    item, _by_nik, by_kpj, _by_name = unmatched
    client = client_for(petugas_bpjs)
    before = client.get(reverse("workers:detail", args=[by_kpj.pk])).content.decode()
    client.post(reverse("reconciliation:decide", args=[item.pk, "link"]), {"worker": by_kpj.pk})
    item.refresh_from_db()
    assert (item.status, item.resolution, item.worker) == (ItemStatus.RESOLVED, "linked", by_kpj)
    assert Payment.objects.filter(worker=by_kpj, jumlah=16800).count() == 1
    after = client.get(reverse("workers:detail", args=[by_kpj.pk])).content.decode()
    assert before != after
    assert AuditLog.objects.filter(action="reconciliation_linked", actor=petugas_bpjs).exists()


def test_a_bad_worker_choice_links_nothing(unmatched, petugas_bpjs):
    item, *_ = unmatched
    client_for(petugas_bpjs).post(reverse("reconciliation:decide", args=[item.pk, "link"]), {"worker": "abc"})
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    assert not Payment.objects.filter(referensi__endswith="#tautan").exists()


def test_reversing_or_dismissing_needs_a_reason_and_is_audited(unmatched, admin_kota):
    item, *_ = unmatched
    client = client_for(admin_kota)
    client.post(reverse("reconciliation:decide", args=[item.pk, "reverse"]), {"note": " "})
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    client.post(reverse("reconciliation:decide", args=[item.pk, "reverse"]), {"note": "Paid to the wrong branch"})
    item.refresh_from_db()
    assert (item.status, item.resolution) == (ItemStatus.RESOLVED, "reversed")
    assert Payment.objects.get(referensi="U-1#batal").jumlah == -16800
    assert AuditLog.objects.filter(action="reconciliation_reversed", actor=admin_kota).exists()


def test_the_dashboard_counts_open_items_per_area(city, admin_kota):
    worker = make_worker(city.lingkungan[0])
    record_payment(by=None, worker=worker, periode=datetime.date(2025, 9, 1), jumlah=8000,
                   tanggal_bayar=datetime.date(2025, 9, 10), referensi="SHORT-1")  # underpaid: an item of 12.71.01
    call_command("reconcile", "--as-of", "2025-10-29")
    client = client_for(admin_kota)
    assert 'data-area="12.71.01"' in client.get("/dasbor/?per=2025-10-29").content.decode()
    assert client.get(reverse("reconciliation:queue"), {"wilayah": "12.71.01"}).context["page"].paginator.count == 1
    assert client.get(reverse("reconciliation:queue"), {"wilayah": "12.71.02"}).context["page"].paginator.count == 0
