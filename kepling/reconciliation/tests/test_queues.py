"""Reconciliation: participant extracts, the mismatch queues, their scoping and the decisions."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kepling.contributions.imports import import_payments_file
from kepling.contributions.ledger import record_payment
from kepling.contributions.models import Payment, WorkerMonth
from kepling.core.models import AuditLog
from kepling.imports.tests.helpers import KNOWN_NIK, PAYMENT_HEADER, UNKNOWN_NIK, write_csv
from kepling.reconciliation.actions import DecisionError, dismiss_item, link_payment, mark_corrected
from kepling.reconciliation.matching import rebuild_queue
from kepling.reconciliation.models import BpjsParticipant, ItemKind, ItemStatus, ReconciliationItem
from kepling.reconciliation.participants import import_participants_file
from kepling.reconciliation.queries import queue_counts
from kepling.testing import make_worker

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 10, 29)
PARTICIPANT_HEADER = ["nik", "kpj", "nama", "status", "per_tanggal"]


def pay(worker, month: int, amount: int = 16800, ref: str | None = None):
    return record_payment(
        by=None, worker=worker, periode=datetime.date(2025, month, 1), jumlah=amount,
        tanggal_bayar=datetime.date(2025, month, 10), referensi=ref or f"P-{worker.pk}-{month}",
    )


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def registry(city):
    """Paying and lapsed workers in two kecamatan."""
    active = make_worker(city.lingkungan[0], nik=KNOWN_NIK, kpj="11111111111")
    for month in (8, 9, 10):
        pay(active, month)
    lapsed = make_worker(city.lingkungan[4], nik="1271011505900002", kpj="22222222222")
    pay(lapsed, 5)
    unknown = make_worker(city.lingkungan[1], nik="1271011505900003")
    pay(unknown, 10)
    return {"active": active, "lapsed": lapsed, "unknown": unknown}


def participants(tmp_path, rows):
    return import_participants_file(write_csv(tmp_path / "peserta.csv", PARTICIPANT_HEADER, rows))


def test_participant_extract_is_stored_once_and_never_overwritten_by_an_older_one(tmp_path):
    rows = [
        [KNOWN_NIK, "11111111111", "Budi", "aktif", "2025-10-01"],
        [KNOWN_NIK, "11111111111", "Budi", "nonaktif", "2025-10-01"],
        ["12345", "1", "X", "mungkin", "kemarin"],
    ]
    result = participants(tmp_path, rows)
    assert (result.rows, result.applied, result.rejected) == (3, 1, 2)
    assert {e.column for e in result.errors} >= {"nik", "kpj", "status", "per_tanggal"}
    assert participants(tmp_path, rows[:1]).already_present == 1
    participants(tmp_path, [[KNOWN_NIK, "11111111111", "Budi", "nonaktif", "2025-11-01"]])
    participants(tmp_path, [[KNOWN_NIK, "11111111111", "Budi", "aktif", "2025-09-01"]])
    assert BpjsParticipant.objects.get().status == "nonaktif"


def test_rebuild_fills_every_queue_once_and_keeps_decisions(registry, tmp_path, admin_kota):
    participants(
        tmp_path,
        [
            [KNOWN_NIK, "11111111111", "A", "nonaktif", "2025-10-20"],  # registry: active
            ["1271011505900002", "33333333333", "B", "aktif", "2025-10-20"],  # registry: inactive; other KPJ
            ["1271011505900009", "22222222222", "C", "aktif", "2025-10-20"],  # KPJ of another NIK
        ],
    )
    import_payments_file(
        write_csv(tmp_path / "p.csv", PAYMENT_HEADER, [[UNKNOWN_NIK, "", "2025-09", "16800", "2025-09-10", "U-1"]])
    )
    pay(registry["active"], 7, amount=8000)

    first = rebuild_queue(AS_OF)

    kinds = sorted(ReconciliationItem.objects.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            ItemKind.UNMATCHED_PAYMENT,
            ItemKind.UNDERPAID_MONTH,
            ItemKind.UNKNOWN_TO_BPJS,  # "unknown" paid, BPJS has no record
            ItemKind.STATUS_MISMATCH,  # active says nonaktif
            ItemKind.STATUS_MISMATCH,  # lapsed says aktif
            ItemKind.KPJ_CONFLICT,  # lapsed: registry KPJ differs from BPJS's
            ItemKind.KPJ_CONFLICT,  # 22222222222 on two NIKs
        ]
    )
    assert first["created"] == 7
    assert rebuild_queue(AS_OF) == {"created": 0, "updated": 7, "closed": 0, "open": 7}

    underpaid = ReconciliationItem.objects.get(kind=ItemKind.UNDERPAID_MONTH)
    dismiss_item(by=admin_kota, item=underpaid, reason="BPJS confirmed the top-up is coming")
    rebuild_queue(AS_OF)
    underpaid.refresh_from_db()
    assert underpaid.status == ItemStatus.DISMISSED
    assert ReconciliationItem.objects.filter(kind=ItemKind.UNDERPAID_MONTH).count() == 1

    pay(registry["active"], 7, amount=8800, ref="TOPUP")  # the finding goes away... but it was decided
    BpjsParticipant.objects.filter(nik_hash=registry["active"].nik_hash).update(status="aktif")
    counts = rebuild_queue(AS_OF)
    assert counts["closed"] == 1  # the active worker's status disagreement
    gone = ReconciliationItem.objects.get(key__startswith=f"status:{registry['active'].pk}:")
    assert gone.status == ItemStatus.RESOLVED and gone.resolution == "gone"


def test_linking_an_unmatched_payment_writes_a_corrective_pair(city, petugas_bpjs, tmp_path):
    import_payments_file(
        write_csv(tmp_path / "p.csv", PAYMENT_HEADER, [[UNKNOWN_NIK, "", "2025-09", "16800", "2025-09-10", "U-1"]])
    )
    late = make_worker(city.lingkungan[0], nik=UNKNOWN_NIK)  # registered after BPJS reported the payment
    rebuild_queue(AS_OF)
    item = ReconciliationItem.objects.get(kind=ItemKind.UNMATCHED_PAYMENT)
    assert item.worker == late and item.details["matched_by"] == "nik"

    response = client_for(petugas_bpjs).post(reverse("reconciliation:decide", args=[item.pk, "link"]), {"nik": ""})

    assert response.status_code == 302
    original = Payment.objects.get(referensi="U-1")
    assert original.worker is None  # the ledger row is never changed
    assert Payment.objects.get(referensi="U-1#batal").jumlah == -16800
    linked = Payment.objects.get(referensi="U-1#tautan")
    assert (linked.worker, linked.jumlah, linked.periode) == (late, 16800, original.periode)
    assert WorkerMonth.objects.filter(worker=late, paid_from__isnull=False).exists()
    item.refresh_from_db()
    assert item.status == ItemStatus.RESOLVED and item.resolution == "linked" and item.resolved_by == petugas_bpjs
    assert AuditLog.objects.filter(action="reconciliation_linked", object_id=str(item.pk)).exists()
    assert rebuild_queue(AS_OF)["created"] == 0
    with pytest.raises(DecisionError):
        link_payment(by=petugas_bpjs, item=item, worker=late)


def test_decisions_need_a_reason_and_a_resolving_role(registry, admin_kota, lurah):
    pay(registry["active"], 7, amount=8000)
    rebuild_queue(AS_OF)
    item = ReconciliationItem.objects.get(kind=ItemKind.UNDERPAID_MONTH)
    with pytest.raises(DecisionError):
        dismiss_item(by=admin_kota, item=item, reason="  ")
    decide = reverse("reconciliation:decide", args=[item.pk, "dismiss"])
    assert client_for(lurah).post(decide, {"note": "x"}).status_code == 403
    mark_corrected(by=admin_kota, item=item, note="Worker paid the difference at the bank")
    item.refresh_from_db()
    assert item.status == ItemStatus.RESOLVED and item.resolution == "corrected"
    assert AuditLog.objects.filter(action="reconciliation_corrected", actor=admin_kota).exists()


def test_queues_are_scoped_by_area(registry, lurah, camat, kepling_user, petugas_bpjs, pimpinan):
    pay(registry["active"], 7, amount=8000)  # kelurahan 12.71.01.1001
    pay(registry["lapsed"], 6, amount=8000)  # kecamatan 12.71.02
    rebuild_queue(AS_OF)

    assert queue_counts(petugas_bpjs)["underpaid_month"] == 2
    assert queue_counts(pimpinan)["total"] == 2
    assert queue_counts(lurah)["underpaid_month"] == 1
    assert queue_counts(camat)["underpaid_month"] == 1
    assert queue_counts(kepling_user)["total"] == 0
    other = ReconciliationItem.objects.get(worker=registry["lapsed"])
    assert client_for(lurah).get(reverse("reconciliation:item", args=[other.pk])).status_code == 404
    page = client_for(lurah).get(reverse("reconciliation:queue"))
    assert page.status_code == 200 and registry["lapsed"].nama not in page.content.decode()
    assert client_for(kepling_user).get(reverse("reconciliation:queue")).status_code == 403
    assert client_for(petugas_bpjs).get(reverse("reconciliation:queue")).status_code == 200


def test_commands(registry, tmp_path):
    rows = [[KNOWN_NIK, "11111111111", "A", "aktif", "2025-10-20"]]
    path = write_csv(tmp_path / "peserta.csv", PARTICIPANT_HEADER, rows)
    out = StringIO()
    call_command("import_participants", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["applied"] == 1
    out = StringIO()
    call_command("reconcile", "--as-of", "2025-10-29", "--json", stdout=out)
    first = json.loads(out.getvalue())
    out = StringIO()
    call_command("reconcile", "--as-of", "2025-10-29", "--json", stdout=out)
    second = json.loads(out.getvalue())
    assert second["created"] == 0 and second["open"] == first["open"]
