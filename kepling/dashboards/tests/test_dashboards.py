"""The dashboards of each role: scoping, figures, sorting, the as-of date and the drill-down to workers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kepling.accounts.models import Role, User
from kepling.contributions.summaries import node_summary
from kepling.core.models import AuditLog
from kepling.dashboards.tests.builders import paying_worker
from kepling.testing import City, make_user, make_worker

AS_OF = "2025-10-29"
MONTHS = ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def workers(city: City) -> None:
    """Lingkungan .01 with three steady payers and a non-payer; .02 with one worker who paid once."""
    for _ in range(3):
        paying_worker(city.lingkungan[0], MONTHS)
    make_worker(city.lingkungan[0], nama="Belum Bayar")
    paying_worker(city.lingkungan[1], ["2025-06"])
    paying_worker(city.node("12.71.02.1001.01"), MONTHS[-2:])


@pytest.mark.parametrize(
    ("persona", "kode"),
    [
        ("lurah", "12.71.01.1001"),
        ("camat", "12.71.01"),
        ("admin_kota", "12.71"),
        ("pimpinan", "12.71"),
        ("petugas_bpjs", "12.71"),
    ],
)
def test_each_role_sees_the_dashboard_of_its_own_area(
    request: pytest.FixtureRequest, persona: str, kode: str, workers: None
) -> None:
    user: User = request.getfixturevalue(persona)
    client = signed_in(user)
    response = client.get(f"/dasbor/?per={AS_OF}")
    assert response.status_code == 200
    assert response.context["node"].kode == kode
    html = response.content.decode()
    assert "<svg" in html and "<title" in html and "<desc" in html


def test_home_sends_dashboard_roles_to_their_dashboard(lurah: User, kepling_user: User) -> None:
    from django.test import RequestFactory

    from kepling.dashboards.views import role_home

    request = RequestFactory().get("/")
    request.user = lurah
    response = role_home(request)
    assert response is not None and response["Location"] == "/dasbor/"
    request.user = kepling_user
    kepling_home = role_home(request)
    assert kepling_home is not None and kepling_home["Location"] == "/pekerja/beranda/"


def test_a_lurah_gets_404_for_another_kelurahan_and_for_the_city(lurah: User, workers: None) -> None:
    client = signed_in(lurah)
    assert client.get("/dasbor/12.71.01.1002/").status_code == 404
    assert client.get("/dasbor/12.71/").status_code == 404
    assert client.get("/dasbor/12.71.02.1001.01/").status_code == 404
    assert client.get("/dasbor/12.71.01.1001.02/").status_code == 200


def test_the_figures_on_the_page_are_the_node_summary(city: City, camat: User, workers: None) -> None:
    response = signed_in(camat).get(f"/dasbor/?per={AS_OF}")
    expected = node_summary(city.kecamatan[0], datetime.date.fromisoformat(AS_OF))
    summary = response.context["summary"]
    assert summary == expected
    assert (summary["protected"], summary["never_paid"], summary["paid_one_month_only"]) == (4, 1, 1)
    html = response.content.decode()
    assert f'<span class="stat__value">{expected["protected"]}</span>' in html
    assert expected["target"] == 100 and "4,00%" in html  # 4 protected of 4 lingkungan x 25


def test_units_one_level_down_sort_by_any_column(city: City, lurah: User, workers: None) -> None:
    client = signed_in(lurah)
    default = client.get(f"/dasbor/?per={AS_OF}")
    assert [row["unit"].node.kode for row in default.context["units"]] == ["12.71.01.1001.01", "12.71.01.1001.02"]
    by_active = client.get(f"/dasbor/?per={AS_OF}&urut=-aktif")
    assert [row["unit"].active for row in by_active.context["units"]] == [3, 0]
    by_never_paid = client.get(f"/dasbor/?per={AS_OF}&urut=belum_bayar")
    assert [row["unit"].never_paid for row in by_never_paid.context["units"]] == [0, 1]
    html = by_active.content.decode()
    assert 'aria-sort="descending"' in html
    assert "urut=aktif" in html  # clicking the sorted column again reverses it
    unknown = client.get(f"/dasbor/?per={AS_OF}&urut=password")
    assert unknown.status_code == 400 and "password" in unknown.content.decode()


def test_sorting_through_htmx_returns_only_the_table(lurah: User, workers: None) -> None:
    response = signed_in(lurah).get(
        f"/dasbor/?per={AS_OF}&urut=-terlindungi", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="units"
    )
    html = response.content.decode()
    assert html.startswith('<div id="units"') and "<html" not in html


def test_a_bad_as_of_date_shows_a_message_and_the_default_date(lurah: User, workers: None) -> None:
    from kepling.dashboards.queries import default_as_of

    response = signed_in(lurah).get("/dasbor/?per=29-10-2025")
    assert response.status_code == 200
    assert response.context["as_of"] == default_as_of()
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "29-10-2025" in messages[0]


def test_the_drill_down_reaches_the_worker_list_of_a_lingkungan(city: City, lurah: User, workers: None) -> None:
    client = signed_in(lurah)
    kelurahan = client.get(f"/dasbor/?per={AS_OF}").content.decode()
    assert f'href="/dasbor/12.71.01.1001.01/?per={AS_OF}"' in kelurahan
    response = client.get(f"/dasbor/12.71.01.1001.01/?per={AS_OF}")
    page = response.context["page"]
    assert page.paginator.count == 4
    statuses = sorted(w.status for w in page)
    assert statuses == ["active", "active", "active", "never_paid"]
    html = response.content.decode()
    first = page.object_list[0]
    assert f'href="/pekerja/{first.pk}/"' in html
    assert first.nik_masked in html
    assert [c.nama for c in response.context["trail"]] == ["Kelurahan 1-1", "Lingkungan I"]
    audit = AuditLog.objects.get(action="worker_list_viewed")
    assert audit.actor == lurah and audit.object_id == "12.71.01.1001.01"
    assert sorted(audit.new_values["workers"]) == sorted(w.pk for w in page)


def test_worker_search_by_name_and_status(lurah: User, workers: None) -> None:
    client = signed_in(lurah)
    found = client.get(f"/dasbor/12.71.01.1001.01/?per={AS_OF}&q=belum")
    assert [w.nama for w in found.context["page"]] == ["Belum Bayar"]
    never = client.get(f"/dasbor/12.71.01.1001.01/?per={AS_OF}&status=never_paid")
    assert [w.nama for w in never.context["page"]] == ["Belum Bayar"]


def test_the_worker_list_is_paginated_by_50(city: City, lurah: User) -> None:
    for _ in range(51):
        make_worker(city.lingkungan[0])
    client = signed_in(lurah)
    first = client.get(f"/dasbor/12.71.01.1001.01/?per={AS_OF}")
    assert len(first.context["page"].object_list) == 50
    second = client.get(f"/dasbor/12.71.01.1001.01/?per={AS_OF}&hal=2")
    assert len(second.context["page"].object_list) == 1


def test_kepling_below_target_are_listed_with_their_phone(city: City, lurah: User, workers: None) -> None:
    from kepling.regions.models import KeplingTerm

    kepling = make_user(
        "kepling-satu", Role.KEPLING, city.lingkungan[0], full_name="Ibu Kepling", phone="+6281200001111"
    )
    KeplingTerm.objects.create(kepling=kepling, lingkungan=city.lingkungan[0], start=datetime.date(2025, 1, 1))
    response = signed_in(lurah).get(f"/dasbor/?per={AS_OF}")
    assert response.context["behind_count"] == 2
    html = response.content.decode()
    assert 'href="tel:+6281200001111"' in html
    assert "Ibu Kepling" in html


def test_the_kepling_progress_page_is_scoped(city: City, lurah: User, workers: None) -> None:
    client = signed_in(lurah)
    response = client.get(f"/dasbor/kepling/?per={AS_OF}")
    assert response.status_code == 200
    assert {item["row"].lingkungan.kode for item in response.context["rows"]} == {
        "12.71.01.1001.01",
        "12.71.01.1001.02",
    }
    assert client.get("/dasbor/kepling/?wilayah=12.71.02").status_code == 404


def test_a_kepling_has_no_city_dashboard(kepling_user: User) -> None:
    assert signed_in(kepling_user).get("/dasbor/12.71.01/").status_code == 404


def test_dashboards_need_sign_in(client: Client, city: City) -> None:
    response = client.get("/dasbor/")
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_the_default_date_follows_the_ledger_and_is_found_once_per_change(
    city: City, django_assert_num_queries: Any
) -> None:
    from kepling.contributions.ledger import record_payment
    from kepling.dashboards.queries import default_as_of

    worker = make_worker(city.lingkungan[0])
    june = datetime.date(2025, 6, 1)
    record_payment(by=None, worker=worker, periode=june, jumlah=16_800, tanggal_bayar=june, referensi="D-1")
    assert default_as_of() == june
    with django_assert_num_queries(1):  # the newest row only: the ledger has not changed
        assert default_as_of() == june
    later = datetime.date(2025, 7, 3)
    record_payment(by=None, worker=worker, periode=later, jumlah=16_800, tanggal_bayar=later, referensi="D-2")
    assert default_as_of() == later
