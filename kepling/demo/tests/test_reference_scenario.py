"""The reference scenario reproduces the press figures of 29 Oct 2025 from its records."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from kepling.accounts.models import Role, User
from kepling.contributions.models import Payment, WorkerMonth
from kepling.contributions.summaries import node_summary
from kepling.regions.models import KeplingTerm, Wilayah
from kepling.workers.models import Worker

pytestmark = pytest.mark.scenario
AS_OF = datetime.date(2025, 10, 29)


def summary(kode: str) -> dict:
    out = StringIO()
    call_command("summary", "--wilayah", kode, "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_city_figures_match_the_press_report(reference_scenario):
    city = summary("12.71")
    expected = {
        "target": 50025,
        "protected": 37058,
        "remaining": 12967,
        "progress_pct": 74.08,
        "paid_one_month_only": 18152,
        "labour_force": 875743,
        "bpjs_active_participants": 472068,
        "coverage_pct": 53.9,
        "kecamatan": 21,
        "kelurahan": 151,
        "lingkungan": 2001,
    }
    assert {k: city[k] for k in expected} == expected
    assert city["wilayah"] == {"kode": "12.71", "nama": "Kota Medan", "tingkat": "kota"}
    statuses = city["never_paid"] + city["active"] + city["in_arrears"] + city["inactive"]
    assert statuses == city["registered"]


def test_figures_come_from_the_records(reference_scenario):
    # Recount protected workers straight from the per-month coverage rows.
    covered = WorkerMonth.objects.filter(paid_from__lte=AS_OF).exclude(paid_until__lte=AS_OF)
    assert covered.values("worker").distinct().count() == 37058
    assert Worker.objects.count() == summary("12.71")["registered"]
    assert Payment.objects.filter(worker__isnull=True).exists()  # unknown NIKs kept for reconciliation
    assert not Payment.objects.filter(tanggal_bayar__gt=AS_OF).exists()


def test_levels_sum_to_the_city_and_vary_between_areas(reference_scenario):
    kecamatan = [summary(k.kode) for k in Wilayah.objects.filter(level=1)]
    assert sum(k["protected"] for k in kecamatan) == 37058
    assert sum(k["target"] for k in kecamatan) == 50025
    progress = sorted(k["progress_pct"] for k in kecamatan)
    assert progress[-1] - progress[0] > 20
    lingkungan = Wilayah.objects.get(kode="12.71.01.1001.01")
    one = node_summary(lingkungan, AS_OF)
    assert (one["lingkungan"], one["kelurahan"], one["target"]) == (1, 0, 25)


def test_every_role_account_and_every_kepling_exists(reference_scenario):
    expected = {
        "admin": Role.ADMIN_KOTA,
        "pimpinan": Role.PIMPINAN,
        "bpjs": Role.PETUGAS_BPJS,
        "camat": Role.CAMAT,
        "lurah": Role.LURAH,
        "kepling": Role.KEPLING,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("kepling-demo")
    assert User.objects.get(username="camat").wilayah.kode == "12.71.01"
    assert User.objects.get(username="lurah").wilayah.kode == "12.71.01.1001"
    assert User.objects.get(username="kepling").wilayah.kode == "12.71.01.1001.01"
    assert KeplingTerm.objects.filter(end__isnull=True).values("lingkungan").distinct().count() == 2001
    assert KeplingTerm.objects.filter(end__isnull=True).count() == 2001
    assert User.objects.get(username="kepling-12.71.01.1001.01").wilayah.kode == "12.71.01.1001.01"
    assert User.objects.get(username="kepling-12.71.05.1002.03").wilayah.kode == "12.71.05.1002.03"
