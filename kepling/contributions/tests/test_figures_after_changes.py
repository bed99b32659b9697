"""Figures stay right after records change, through the product's own interfaces (CLI, HTTP, API, actions)."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.contributions.models import Payment
from kepling.contributions.retention import retention
from kepling.contributions.status import Status, standing
from kepling.contributions.tariffs import amount_due
from kepling.core.models import AuditLog
from kepling.reconciliation.matching import rebuild_queue
from kepling.reconciliation.models import ItemKind, ReconciliationItem
from kepling.regions.actions import set_target
from kepling.regions.models import KeplingTerm
from kepling.testing import City, make_worker
from kepling.workers.actions import move_worker, reinstate_worker, update_worker, withdraw_worker
from kepling.workers.models import Worker
from kepling.workers.tests.builders import make_nik

D = datetime.date
BIRTH = D(1990, 4, 12)
NIK = make_nik(BIRTH, serial=4321)
HEADER = "nik,periode,jumlah,tanggal_bayar,referensi"


def summary(kode: str, as_of: str) -> dict[str, Any]:
    out = StringIO()
    call_command("summary", "--wilayah", kode, "--as-of", as_of, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def import_payments(tmp_path: Path, *lines: str, header: str = HEADER, name: str = "bpjs.csv") -> dict[str, Any]:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    out = StringIO()
    with translation.override("en"):
        call_command("import_payments", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def api(user: User) -> Client:
    _token, key = create_api_token(by=user, user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {key}"})


def registration_body(kode: str) -> dict[str, Any]:
    return {
        "nik": NIK,
        "nama": "Siti Aminah",
        "jenis_kelamin": "L",
        "tanggal_lahir": BIRTH.isoformat(),
        "no_hp": "081234567890",
        "kode_lingkungan": kode,
        "pekerjaan": "Pedagang",
        "sektor": "lainnya",
        "penghasilan": 1_000_000,
        "program": "JKK-JKM",
        "sumber_iuran": "mandiri",
        "tanggal_daftar": "2025-06-02",
        "consent": True,
    }


# 1. A payment that arrives before its worker is registered counts once the NIK is registered ------------------


def _register_by_api(city: City, admin: User, tmp_path: Path) -> None:
    response = api(admin).post(
        "/api/v1/workers", registration_body(city.lingkungan[0].kode), content_type="application/json"
    )
    assert response.status_code == 201, response.content


def _register_by_file(city: City, admin: User, tmp_path: Path) -> None:
    body = registration_body(city.lingkungan[0].kode)
    columns = [c for c in body if c != "consent"]
    path = tmp_path / "pekerja.csv"
    path.write_text(",".join(columns) + "\n" + ",".join(str(body[c]) for c in columns) + "\n", encoding="utf-8")
    call_command("import_workers", str(path), "--json", stdout=StringIO())


def _register_by_form(city: City, admin: User, tmp_path: Path) -> None:
    kepling = User.objects.create_user(
        username="kepling-form", password="x" * 14, role="kepling", wilayah=city.lingkungan[0]
    )
    KeplingTerm.objects.create(kepling=kepling, lingkungan=city.lingkungan[0], start=D(2024, 1, 1))
    client = Client()
    client.force_login(kepling)
    body = registration_body(city.lingkungan[0].kode) | {
        "penghasilan": "1.000.000",
        "consent": "on",
        "tanggal_daftar": "2025-06-02",
    }
    response = client.post(reverse("workers:register"), body)
    assert response.status_code == 302, response.content


@pytest.mark.parametrize(
    "register", [_register_by_api, _register_by_file, _register_by_form], ids=["api", "file", "form"]
)
def test_a_payment_received_before_registration_counts_once_the_worker_is_registered(
    register: Any, city: City, admin_kota: User, tmp_path: Path
) -> None:
    kode = city.lingkungan[0].kode
    result = import_payments(tmp_path, f"{NIK},2025-06,16800,2025-06-01,EARLY-1")
    assert result["applied"] == 1
    assert summary(kode, "2025-06-20")["protected"] == 0  # no one registered yet

    register(city, admin_kota, tmp_path)

    worker = Worker.objects.get()
    assert Payment.objects.get(referensi="EARLY-1").worker == worker
    assert standing(worker, D(2025, 6, 20)).status == Status.ACTIVE
    assert summary(kode, "2025-06-20")["protected"] == 1
    assert AuditLog.objects.filter(action="payments_matched", object_id=str(worker.pk)).exists()


# 2. Editing what a worker pays on recomputes every month and every stored date --------------------------------


def test_an_income_edit_recomputes_what_is_due_for_every_stored_date(
    city: City, admin_kota: User, tmp_path: Path
) -> None:
    worker = make_worker(city.lingkungan[0], registered="2025-06-02", nik=NIK, penghasilan=1_000_000)
    import_payments(tmp_path, f"{NIK},2025-06,16800,2025-06-05,R-1")
    kode = city.lingkungan[0].kode
    assert summary(kode, "2025-06-20")["protected"] == 1  # this date is now stored

    update_worker(by=admin_kota, worker=worker, changes={"penghasilan": 3_000_000})

    # 16,800 no longer covers JKK on 3,000,000 (30,000) + JKM 6,800, at the date stored before the edit too
    assert summary(kode, "2025-06-20")["protected"] == 0
    assert summary(kode, "2025-07-01")["never_paid"] == 1


# 3. A moved worker's paid months follow them ---------------------------------------------------------------


def test_a_moved_worker_counts_in_the_new_lingkungan_at_every_stored_date(
    city: City, admin_kota: User, tmp_path: Path
) -> None:
    worker = make_worker(city.lingkungan[0], registered="2025-06-02", nik=NIK)
    import_payments(tmp_path, f"{NIK},2025-06,16800,2025-06-05,R-1")
    old, new = city.lingkungan[0], city.lingkungan[5]  # another kelurahan and kecamatan
    assert summary(new.kode, "2025-06-20")["protected"] == 0
    assert summary(old.kode, "2025-06-20")["protected"] == 1

    move_worker(by=admin_kota, worker=worker, lingkungan=new)

    assert summary(new.kode, "2025-06-20")["protected"] == 1
    assert summary(old.kode, "2025-06-20")["protected"] == 0
    assert summary("12.71", "2025-06-20")["protected"] == 1


def test_withdrawal_and_reinstatement_change_every_stored_date_from_the_withdrawal(
    city: City, admin_kota: User
) -> None:
    worker = make_worker(city.lingkungan[0], registered="2025-06-02", nik=NIK)
    kode = city.lingkungan[0].kode
    assert summary(kode, "2025-08-01")["registered"] == 1
    withdraw_worker(by=admin_kota, worker=worker, on=D(2025, 7, 1), reason="pindah kota")
    assert (summary(kode, "2025-06-30")["registered"], summary(kode, "2025-08-01")["registered"]) == (1, 0)
    reinstate_worker(by=admin_kota, worker=worker)
    assert summary(kode, "2025-08-01")["registered"] == 1


# 4. One source of truth for a target ---------------------------------------------------------------------


def test_a_target_change_reaches_every_stored_date_and_the_kepling_shortfall(
    city: City, admin_kota: User, tmp_path: Path
) -> None:
    make_worker(city.lingkungan[0], registered="2025-06-02", nik=NIK)
    import_payments(tmp_path, f"{NIK},2025-06,16800,2025-06-05,R-1")
    before = summary("12.71.01", "2025-06-20")
    assert (before["target"], before["remaining"], before["kepling_shortfall"]) == (100, 99, 99)

    set_target(by=admin_kota, lingkungan=city.lingkungan[0], target=0, reason="dihapus dari program")
    set_target(by=admin_kota, lingkungan=city.lingkungan[1], target=30, reason="kampung padat")

    after = summary("12.71.01", "2025-06-20")
    # 0 + 30 + 25 + 25: the one protected worker is past lingkungan 1's target, so remaining and shortfall differ
    assert (after["target"], after["protected"], after["remaining"], after["kepling_shortfall"]) == (80, 1, 79, 80)


# 5. BPJS corrections ----------------------------------------------------------------------------------------


def test_an_extract_cancels_a_payment_with_a_batal_row_and_applying_it_twice_changes_nothing(
    city: City, tmp_path: Path
) -> None:
    worker = make_worker(city.lingkungan[0], registered="2025-06-02", nik=NIK)
    import_payments(tmp_path, f"{NIK},2025-06,16800,2025-06-05,R-1")
    kode = city.lingkungan[0].kode
    assert summary(kode, "2025-06-20")["protected"] == 1
    header = HEADER + ",jenis,referensi_asal"
    rows = [
        f"{NIK},2025-06,16800,2025-06-10,R-1-BATAL,batal,R-1",
        f"{NIK},2025-06,16800,2025-06-11,R-2,bayar,",  # the corrected payment, a new reference
        f"{NIK},2025-07,16800,2025-06-11,R-3,batal,NOT-THERE",  # held until that payment arrives
        f"{NIK},2025-07,16800,2025-06-11,R-4,refund,",
    ]
    first = import_payments(tmp_path, *rows, header=header)
    assert (first["applied"], first["held"], first["rejected"]) == (2, 1, 1)
    assert {(e["row"], e["column"]) for e in first["errors"]} == {(5, "jenis")}
    assert [p.jumlah for p in Payment.objects.filter(periode=D(2025, 6, 1)).order_by("tanggal_bayar")] == [
        16_800,
        -16_800,
        16_800,
    ]
    assert standing(worker, D(2025, 6, 10)).status == Status.NEVER_PAID  # cancelled on the 10th
    assert summary(kode, "2025-06-20")["protected"] == 1  # paid again on the 11th
    again = import_payments(tmp_path, *rows[:2], header=header)
    assert (again["applied"], again["already_present"]) == (0, 2)


def test_bpjs_officer_reverses_a_payment_from_the_reconciliation_screen(
    city: City, petugas_bpjs: User, lurah: User, tmp_path: Path
) -> None:
    make_worker(city.lingkungan[0], registered="2025-06-02", nik=NIK)
    import_payments(tmp_path, f"{NIK},2025-06,16800,2025-06-05,R-1")
    kode = city.lingkungan[0].kode
    today = timezone.localdate().isoformat()
    assert summary(kode, today)["protected"] == 1
    queue = reverse("reconciliation:queue")
    officer = Client()
    officer.force_login(petugas_bpjs)
    assert 'id="reverse-payment"' in officer.get(queue).content.decode()

    response = officer.post(reverse("reconciliation:reverse_payment"), {"referensi": "R-1", "reason": "dana kembali"})

    assert response.status_code == 302
    assert summary(kode, today)["protected"] == 0
    log = AuditLog.objects.get(action="payment_reversed")
    assert (log.actor, log.note) == (petugas_bpjs, "dana kembali")
    outsider = Client()
    outsider.force_login(lurah)
    assert (
        outsider.post(reverse("reconciliation:reverse_payment"), {"referensi": "R-1", "reason": "x"}).status_code == 403
    )


def test_admin_reverses_a_payment_through_the_api_once(
    city: City, admin_kota: User, lurah: User, tmp_path: Path
) -> None:
    make_worker(city.lingkungan[0], registered="2025-06-02", nik=NIK)
    import_payments(tmp_path, f"{NIK},2025-06,16800,2025-06-05,R-1")
    body = {"referensi": "R-1", "reason": "salah NIK"}

    response = api(admin_kota).post("/api/v1/reconciliation/reversals", body, content_type="application/json")

    assert response.status_code == 201, response.content
    assert response.json()["jumlah"] == -16_800
    twice = api(admin_kota).post("/api/v1/reconciliation/reversals", body, content_type="application/json")
    assert twice.status_code == 422
    forbidden = api(lurah).post("/api/v1/reconciliation/reversals", body, content_type="application/json")
    assert forbidden.status_code == 403
    assert Payment.objects.filter(reverses__referensi="R-1").count() == 1


# 6. A repeated row already in the ledger is already present -------------------------------------------------


def test_a_row_repeated_in_a_file_counts_as_already_present(city: City, tmp_path: Path) -> None:
    make_worker(city.lingkungan[0], registered="2025-06-02", nik=NIK)
    line = f"{NIK},2025-06,16800,2025-06-05,R-1"
    assert import_payments(tmp_path, line)["applied"] == 1
    result = import_payments(tmp_path, line, f"{NIK},2025-07,16800,2025-07-05,R-2", line, name="again.csv")
    assert (result["rows"], result["applied"], result["already_present"], result["rejected"]) == (3, 1, 2, 0)
    changed = import_payments(tmp_path, f"{NIK},2025-08,16800,2025-08-05,R-3", f"{NIK},2025-08,99,2025-08-05,R-3")
    assert (changed["applied"], changed["rejected"]) == (1, 1)


# The rules of domain.md sections 4 and 6 ---------------------------------------------------------------------


def test_each_halved_component_is_rounded_half_up(db: None) -> None:
    # JKK on 1,234,500 is 12,345, halved 6,172.5 -> 6,173; JKM 6,800 halved 3,400 (transport, Jan 2026)
    due = amount_due(
        month=D(2026, 1, 1), program="JKK-JKM", sektor="transportasi", sumber_iuran="mandiri", penghasilan=1_234_500
    )
    assert due == 6_173 + 3_400


def test_a_worker_who_always_pays_late_is_retained(city: City, tmp_path: Path) -> None:
    make_worker(city.lingkungan[0], registered="2025-05-20", nik=NIK)
    months = ["2025-06", "2025-07", "2025-08", "2025-09"]
    import_payments(tmp_path, *[f"{NIK},{m},16800,{m}-20,L-{m}" for m in months])  # five days after each due date
    three = next(r for r in retention(city.lingkungan[0], D(2025, 10, 1)) if r.months == 3)
    assert (three.eligible, three.retained) == (1, 1)


def test_a_payment_more_than_three_months_late_counts_and_is_a_finding(city: City, tmp_path: Path) -> None:
    worker = make_worker(city.lingkungan[0], registered="2025-05-20", nik=NIK)
    import_payments(tmp_path, f"{NIK},2025-06,16800,2025-10-01,LATE-1", f"{NIK},2025-09,16800,2025-10-01,OK-1")
    assert D(2025, 6, 1) in standing(worker, D(2025, 10, 2)).paid_months
    rebuild_queue(D(2025, 10, 2))
    item = ReconciliationItem.objects.get(kind=ItemKind.LATE_PAYMENT)
    assert (item.worker, item.details["referensi"]) == (worker, "LATE-1")
