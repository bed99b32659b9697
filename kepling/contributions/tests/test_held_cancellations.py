"""A BPJS cancellation that arrives before the payment it cancels is held, then applied when the payment arrives.

Through the command line (`kepling import_payments --json`, `kepling summary --json`,
`kepling reconcile --json`) and the API upload: the figures are the same whichever of the two
arrives first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from kepling.api.actions import create_api_token
from kepling.api.tests.conftest import ApiClient
from kepling.contributions.models import Payment
from kepling.reconciliation.models import ItemKind, ItemStatus, ReconciliationItem
from kepling.testing import make_worker

NIK = "1271011505900001"
STRANGER = "1271011505909999"
PAYMENT_HEADER = "nik,periode,jumlah,tanggal_bayar,referensi"
CANCEL_HEADER = "nik,periode,jumlah,tanggal_bayar,referensi,jenis,referensi_asal"
PAYMENTS = [f"{NIK},2025-06,16800,2025-06-10,P-1", f"{NIK},2025-07,16800,2025-07-10,P-2"]
CANCELLATION = f"{NIK},2025-06,16800,2025-06-25,B-1,batal,P-1"
ASKED = ["2025-06-20", "2025-06-30", "2025-07-31"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def worker(city: Any) -> Any:
    return make_worker(city.lingkungan[0], nik=NIK, registered="2025-06-02")


def write(folder: Path, name: str, header: str, *lines: str) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def command(name: str, *args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(name, *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def import_file(path: Path, *extra: str) -> dict[str, Any]:
    return command("import_payments", str(path), *extra)


def figures(kode: str) -> dict[str, Any]:
    return {day: command("summary", "--wilayah", kode, "--as-of", day) for day in ASKED}


def in_rollback(apply: Callable[[], Any]) -> Any:
    """Apply, read, then undo, so the other order starts from the same registry."""
    with transaction.atomic():
        found = apply()
        transaction.set_rollback(True)
    return found


def test_a_cancellation_before_its_payment_gives_the_figures_of_the_other_order(worker, tmp_path):
    payments = write(tmp_path, "payments.csv", PAYMENT_HEADER, *PAYMENTS)
    cancellation = write(tmp_path, "cancel.csv", CANCEL_HEADER, CANCELLATION)
    kode = worker.lingkungan.kode

    def payment_first() -> Any:
        assert import_file(payments)["applied"] == 2
        cancelled = import_file(cancellation)
        assert (cancelled["applied"], cancelled["held"], cancelled["rejected"]) == (1, 0, 0)
        return figures(kode)

    def cancellation_first() -> Any:
        held = import_file(cancellation)
        assert (held["rows"], held["applied"], held["held"], held["rejected"]) == (1, 0, 1, 0)
        assert not Payment.objects.filter(referensi="B-1").exists()
        paid = import_file(payments)
        assert (paid["applied"], paid["held_applied"], paid["rejected"]) == (2, 1, 0)
        reversal = Payment.objects.get(referensi="B-1")
        assert (reversal.reverses.referensi, reversal.jumlah, str(reversal.tanggal_bayar)) == (
            "P-1",
            -16_800,
            "2025-06-25",
        )
        return figures(kode)

    expected = in_rollback(payment_first)
    assert in_rollback(cancellation_first) == expected
    # the cancelled June payment counted until BPJS cancelled it
    assert [expected[day]["protected"] for day in ASKED] == [1, 0, 1]


def test_a_held_cancellation_is_counted_once_when_its_file_comes_again(worker, tmp_path):
    cancellation = write(tmp_path, "cancel.csv", CANCEL_HEADER, CANCELLATION)
    assert import_file(cancellation)["held"] == 1
    again = import_file(cancellation)
    assert (again["applied"], again["already_present"], again["held"], again["rejected"]) == (0, 1, 0, 0)
    clash = write(tmp_path, "clash.csv", CANCEL_HEADER, CANCELLATION.replace("2025-06-25", "2025-06-26"))
    rejected = import_file(clash)
    assert (rejected["held"], rejected["rejected"], rejected["errors"][0]["column"]) == (0, 1, "referensi")


def test_a_dry_run_reports_the_held_row_and_keeps_nothing(worker, tmp_path):
    cancellation = write(tmp_path, "cancel.csv", CANCEL_HEADER, CANCELLATION)
    checked = import_file(cancellation, "--dry-run")
    assert (checked["applied"], checked["held"], checked["rejected"]) == (0, 1, 0)
    assert import_file(cancellation)["held"] == 1  # nothing was kept by the dry run


def test_a_payment_may_not_take_a_held_cancellations_reference(worker, tmp_path):
    import_file(write(tmp_path, "cancel.csv", CANCEL_HEADER, CANCELLATION))
    result = import_file(write(tmp_path, "payments.csv", PAYMENT_HEADER, f"{NIK},2025-08,16800,2025-08-10,B-1"))
    assert (result["applied"], result["rejected"]) == (0, 1)
    assert "B-1" in result["errors"][0]["message"]
    assert not Payment.objects.exists()


def test_the_queue_lists_a_held_cancellation_until_its_payment_arrives(worker, tmp_path, admin_kota):
    import_file(write(tmp_path, "cancel.csv", CANCEL_HEADER, CANCELLATION))
    command("reconcile")
    item = ReconciliationItem.objects.get(kind=ItemKind.HELD_CANCELLATION)
    assert (item.status, item.worker_id, item.details["referensi_asal"]) == (ItemStatus.OPEN, worker.pk, "P-1")
    assert item.kelurahan_id == worker.kelurahan_id  # scoped to the worker's area
    import_file(write(tmp_path, "payments.csv", PAYMENT_HEADER, *PAYMENTS))
    command("reconcile")
    item.refresh_from_db()
    assert (item.status, item.resolution) == (ItemStatus.RESOLVED, "gone")


def test_a_held_cancellation_that_does_not_fit_its_payment_stays_listed(worker, tmp_path):
    wrong_amount = CANCELLATION.replace(",16800,", ",20000,")
    payments = write(tmp_path, "payments.csv", PAYMENT_HEADER, *PAYMENTS)
    cancellation = write(tmp_path, "cancel.csv", CANCEL_HEADER, wrong_amount)

    def payment_first() -> Any:
        import_file(payments)
        assert import_file(cancellation)["rejected"] == 1
        return figures(worker.lingkungan.kode)

    def cancellation_first() -> Any:
        assert import_file(cancellation)["held"] == 1
        assert import_file(payments)["held_applied"] == 0
        command("reconcile")
        item = ReconciliationItem.objects.get(kind=ItemKind.HELD_CANCELLATION)
        assert (item.status, item.details["problem"]) == (ItemStatus.OPEN, "different_payment")
        return figures(worker.lingkungan.kode)

    expected = in_rollback(payment_first)
    assert in_rollback(cancellation_first) == expected
    assert not Payment.objects.filter(jumlah__lt=0).exists()


def test_a_cancellation_for_a_stranger_waits_and_follows_the_payment(db, city, tmp_path):
    """A payment for a NIK no one registered is kept; its held cancellation is applied to it all the same."""
    import_file(write(tmp_path, "cancel.csv", CANCEL_HEADER, CANCELLATION.replace(NIK, STRANGER)))
    result = import_file(write(tmp_path, "payments.csv", PAYMENT_HEADER, PAYMENTS[0].replace(NIK, STRANGER)))
    assert (result["applied"], result["held_applied"]) == (1, 1)
    assert Payment.objects.get(referensi="B-1").reverses == Payment.objects.get(referensi="P-1")


def test_a_payment_uploaded_through_the_api_releases_the_held_cancellation(worker, tmp_path, petugas_bpjs):
    import_file(write(tmp_path, "cancel.csv", CANCEL_HEADER, CANCELLATION))
    _token, key = create_api_token(by=petugas_bpjs, user=petugas_bpjs, name="tests")
    body = "\n".join([PAYMENT_HEADER, *PAYMENTS]).encode() + b"\n"
    response = ApiClient(key).upload("/imports/payments", "p.csv", body)
    assert response.status_code == 200, response.content
    assert response.json()["extra"]["held_applied"] == 1
    assert Payment.objects.get(referensi="B-1").reverses == Payment.objects.get(referensi="P-1")
