"""As-of dates: one check for pages, reports, the API and commands; refused outside the span, warned past the data."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.contributions.models import LingkunganSummary
from kepling.dashboards.models import RankingSnapshot
from kepling.dashboards.tests.builders import paying_worker
from kepling.testing import City

LAST_PAYMENT = datetime.date(2025, 9, 10)  # the builders pay on the 10th of each month
HOSTILE = ["2999-01-01", "9999-12-31", "0001-01-01", "2025-13-45", "kemarin", "2025-10-29T00:00'--"]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def paid(city: City) -> None:
    paying_worker(city.lingkungan[0], ["2025-06", "2025-07", "2025-08", "2025-09"])


def stored_dates() -> set[datetime.date]:
    return set(LingkunganSummary.objects.values_list("as_of", flat=True))


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


PAGES = ["/dasbor/", "/dasbor/kepling/", "/dasbor/peringkat/", "/dasbor/12.71.01.1001/retensi/"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("path", PAGES)
def test_a_page_refuses_a_date_outside_the_span_and_shows_the_latest_data(
    lurah: User, paid: None, path: str, value: str
) -> None:
    response = signed_in(lurah).get(path, {"per": value})
    assert response.status_code == 200
    assert response.context["as_of"] == LAST_PAYMENT
    shown = " ".join(messages_of(response))
    assert "YYYY-MM-DD" in shown or "di luar rentang" in shown
    assert not {day for day in stored_dates() if day > datetime.date.today()}


def test_a_date_past_the_latest_payment_is_shown_with_a_warning_naming_it(lurah: User, paid: None) -> None:
    response = signed_in(lurah).get("/dasbor/", {"per": "2025-10-29"})
    assert response.context["as_of"] == datetime.date(2025, 10, 29)
    assert any("10 September 2025" in text for text in messages_of(response))
    quiet = signed_in(lurah).get("/dasbor/", {"per": "2025-09-01"})
    assert messages_of(quiet) == []


def test_the_date_picker_offers_the_dates_that_have_data(lurah: User, paid: None) -> None:
    html = signed_in(lurah).get("/dasbor/").content.decode()
    assert 'min="2025-05-14" max="2025-09-10"' in html


@pytest.mark.parametrize("value", HOSTILE)
def test_a_report_for_a_date_outside_the_span_is_refused_before_any_work(lurah: User, paid: None, value: str) -> None:
    before = stored_dates()
    response = signed_in(lurah).get("/laporan/12.71.01.1001/", {"per": value, "format": "xlsx"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert stored_dates() == before


@pytest.mark.parametrize("value", ["2999-01-01", "9999-12-31", "0001-01-01"])
def test_the_api_answers_422_for_a_date_outside_the_span(lurah: User, paid: None, value: str) -> None:
    _token, key = create_api_token(by=lurah, user=lurah, name="tests")
    response = Client().get(
        "/api/v1/wilayah/12.71.01.1001/summary", {"as_of": value}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_reminder_pages_refuse_a_far_future_date(kepling_user: User, paid: None) -> None:
    response = signed_in(kepling_user).get("/pengingat/", {"tanggal": "9999-12-31"})
    assert response.status_code == 200
    assert response.context["as_of"] == LAST_PAYMENT


def test_publishing_a_ranking_for_a_future_date_is_refused(admin_kota: User, paid: None) -> None:
    client = signed_in(admin_kota)
    response = client.post("/dasbor/peringkat/terbitkan/", {"title": "Award", "as_of": "2999-01-01"}, follow=True)
    assert RankingSnapshot.objects.count() == 0
    assert any("di luar rentang" in text for text in messages_of(response))
    assert not {day for day in stored_dates() if day > datetime.date.today()}


@pytest.mark.parametrize("command", ["summary", "report"])
def test_commands_refuse_a_date_outside_the_span(city: City, command: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    args = ["--wilayah", "12.71", "--as-of", "2999-01-01"]
    if command == "report":
        args += ["--out", str(tmp_path / "r.xlsx")]
    with pytest.raises(CommandError, match="as-of"):
        call_command(command, *args)
