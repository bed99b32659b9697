"""Finding one person: full NIK through the keyed hash, KPJ, phone or name, scoped, audited, paged without a count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kepling.accounts.models import User
from kepling.core.models import AuditLog
from kepling.dashboards.tests.builders import paying_worker
from kepling.testing import City, make_worker

NIK = "1271015505900123"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(city: City) -> dict[str, object]:
    here = make_worker(city.lingkungan[0], nik=NIK, kpj="12345678901", no_hp="+6281298765432", nama="Rina Wati")
    far = make_worker(city.node("12.71.02.1001.01"), nama="Rina Jauh")
    late = paying_worker(city.lingkungan[1], ["2025-06"], nama="Telat Bayar")
    paying_worker(city.lingkungan[2], ["2025-08", "2025-09", "2025-10"], nama="Rajin Bayar")  # data up to October
    return {"here": here, "far": far, "late": late}


TYPED = [NIK, "1271 0155 0590 0123", "12345678901", "081298765432", "+62 812-9876-5432", "rina"]


@pytest.mark.parametrize("typed", TYPED)
def test_each_key_finds_the_person_in_the_area(lurah: User, people, typed: str) -> None:
    page = signed_in(lurah).get("/dasbor/cari/", {"q": typed}).context["page"]
    assert [w.nama for w in page.workers] == ["Rina Wati"]  # "Rina Jauh" lives in another kecamatan


def test_a_nik_search_is_audited_masked_and_uses_the_hash(lurah: User, people) -> None:
    with CaptureQueriesContext(connection) as queries:
        signed_in(lurah).get("/dasbor/cari/", {"q": NIK})
    assert not any(NIK in q["sql"] for q in queries.captured_queries)
    row = AuditLog.objects.get(action="worker_search", actor=lurah)
    assert row.object_id == "nik" and NIK not in str(row.new_values) and row.new_values["workers"]


def test_filters_by_status_area_and_months_overdue(admin_kota: User, people, city: City) -> None:
    client = signed_in(admin_kota)
    late = client.get("/dasbor/cari/", {"menunggak": "2"}).context["page"]
    assert [w.nama for w in late.workers] == ["Telat Bayar"]
    area = client.get("/dasbor/cari/", {"lingkungan": "12.71.02"}).context["page"]
    assert [w.nama for w in area.workers] == ["Rina Jauh"]
    never = client.get("/dasbor/cari/", {"status": "never_paid", "q": "rina"}).context["page"]
    assert {w.nama for w in never.workers} == {"Rina Wati", "Rina Jauh"}


def test_paging_never_counts_the_whole_area(admin_kota: User, people) -> None:
    with CaptureQueriesContext(connection) as queries:
        page = signed_in(admin_kota).get("/dasbor/cari/", {"q": "a"}).context["page"]
    assert page.number == 1 and not page.has_next
    assert not any(q["sql"].upper().startswith("SELECT COUNT(") for q in queries.captured_queries)


def test_a_kepling_is_sent_to_their_own_list(kepling_user: User) -> None:
    assert signed_in(kepling_user).get("/dasbor/cari/").status_code == 403
