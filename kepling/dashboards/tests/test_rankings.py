"""The ranking score, the ranking page, and published (frozen) award rankings."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from kepling.accounts.models import User
from kepling.core.models import AuditLog
from kepling.dashboards.actions import AlreadyPublishedError, publish_ranking
from kepling.dashboards.models import RankingEntry, RankingSnapshot
from kepling.dashboards.rankings import live_ranking, ranking_score
from kepling.dashboards.tests.builders import pay, paying_worker
from kepling.regions.models import KELURAHAN, LINGKUNGAN
from kepling.testing import City

AS_OF = "2025-10-29"
STEADY = ["2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_score_rewards_retention_over_sign_ups() -> None:
    many_who_stopped = ranking_score(target=25, protected=30, active=0, paid_one_month_only=30)
    fewer_who_pay = ranking_score(target=25, protected=18, active=18, paid_one_month_only=0)
    assert fewer_who_pay > many_who_stopped
    assert ranking_score(target=25, protected=38, active=38, paid_one_month_only=0) == Decimal("100.00")
    assert ranking_score(target=25, protected=0, active=0, paid_one_month_only=0) == Decimal("0.00")
    assert ranking_score(target=0, protected=5, active=5, paid_one_month_only=0) == Decimal("0.00")
    # Measured against the target: two faithful payers do not beat twenty mostly paying.
    assert ranking_score(target=25, protected=20, active=12, paid_one_month_only=5) > ranking_score(
        target=25, protected=2, active=2, paid_one_month_only=0
    )


def test_a_unit_of_never_paying_and_one_month_sign_ups_ranks_below_fewer_paying_workers(city: City) -> None:
    signing_up = city.node("12.71.01.1001.01")
    for _ in range(8):
        paying_worker(signing_up, ["2025-06"])
    for _ in range(10):
        paying_worker(signing_up, [])
    keeping = city.node("12.71.01.1002.01")
    for _ in range(5):
        paying_worker(keeping, STEADY)
    ranked = live_ranking(city.kota, LINGKUNGAN, datetime.date.fromisoformat(AS_OF))
    order = [item.unit.kode for item in ranked]
    assert order.index("12.71.01.1002.01") < order.index("12.71.01.1001.01")
    kelurahan = live_ranking(city.kota, KELURAHAN, datetime.date.fromisoformat(AS_OF))
    assert kelurahan[0].unit.kode == "12.71.01.1002"


def test_the_ranking_page_shows_the_formula_and_every_tab(city: City, lurah: User, admin_kota: User) -> None:
    paying_worker(city.lingkungan[0], STEADY)
    client = signed_in(admin_kota)
    for tab, count in (("kecamatan", 2), ("kelurahan", 4), ("kepling", 8)):
        response = client.get(f"/dasbor/peringkat/?tab={tab}&per={AS_OF}")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == count
    assert "50%" in response.content.decode()
    # A Lurah sees city-wide ranks for the units in their own area only.
    lurah_view = signed_in(lurah).get(f"/dasbor/peringkat/?tab=kepling&per={AS_OF}")
    entries = list(lurah_view.context["page"])
    assert {e["kode"] for e in entries} == {"12.71.01.1001.01", "12.71.01.1001.02"}
    assert entries[0]["rank"] == 1


def test_a_published_ranking_does_not_change_with_later_payments(city: City, admin_kota: User) -> None:
    worker = paying_worker(city.lingkungan[0], ["2025-06"])
    paying_worker(city.lingkungan[2], STEADY)
    response = signed_in(admin_kota).post(
        "/dasbor/peringkat/terbitkan/", {"title": "Penghargaan Oktober 2025", "as_of": AS_OF}
    )
    snapshot = RankingSnapshot.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dasbor/peringkat/arsip/{snapshot.pk}/"
    before = list(RankingEntry.objects.filter(snapshot=snapshot).order_by("level", "kode").values())
    assert len(before) == 2 + 4 + 8

    for month in ("2025-07", "2025-08", "2025-09"):
        pay(worker, month, on="2025-10-20")
    live = live_ranking(city.kota, LINGKUNGAN, datetime.date.fromisoformat(AS_OF))
    assert next(i for i in live if i.unit.wilayah_id == city.lingkungan[0].pk).unit.active == 0  # paid late: arrears
    pay(worker, "2025-10", on="2025-10-21")
    live = live_ranking(city.kota, LINGKUNGAN, datetime.date.fromisoformat(AS_OF))
    assert next(i for i in live if i.unit.wilayah_id == city.lingkungan[0].pk).unit.active == 1

    after = list(RankingEntry.objects.filter(snapshot=snapshot).order_by("level", "kode").values())
    assert after == before
    page = signed_in(admin_kota).get(f"/dasbor/peringkat/arsip/{snapshot.pk}/?tab=kepling")
    first_lingkungan = next(e for e in page.context["page"] if e.kode == city.lingkungan[0].kode)
    assert first_lingkungan.active == 0
    audit = AuditLog.objects.get(action="ranking_published")
    assert audit.actor == admin_kota and audit.new_values["entries"] == 14


@pytest.mark.parametrize("persona", ["lurah", "camat", "pimpinan", "petugas_bpjs", "kepling_user"])
def test_only_the_city_administrator_may_publish(request: pytest.FixtureRequest, persona: str) -> None:
    user: User = request.getfixturevalue(persona)
    response = signed_in(user).post("/dasbor/peringkat/terbitkan/", {"title": "X", "as_of": AS_OF})
    assert response.status_code == 403
    assert not RankingSnapshot.objects.exists()
    assert signed_in(user).get(f"/dasbor/peringkat/?per={AS_OF}").context["can_publish"] is False


def test_a_date_is_published_once(city: City, admin_kota: User) -> None:
    publish_ranking(by=admin_kota, as_of=datetime.date(2025, 10, 29), title="Oktober")
    with pytest.raises(AlreadyPublishedError):
        publish_ranking(by=admin_kota, as_of=datetime.date(2025, 10, 29), title="lagi")
    response = signed_in(admin_kota).post(
        "/dasbor/peringkat/terbitkan/", {"title": "lagi", "as_of": AS_OF}, follow=True
    )
    assert RankingSnapshot.objects.count() == 1
    assert len(list(response.context["messages"])) == 1


def test_published_rankings_are_listed_for_everyone_and_scoped(city: City, admin_kota: User, lurah: User) -> None:
    snapshot = publish_ranking(by=admin_kota, as_of=datetime.date(2025, 10, 29), title="Oktober")
    listing = signed_in(lurah).get(f"/dasbor/peringkat/?per={AS_OF}")
    assert snapshot in listing.context["snapshots"]
    page = signed_in(lurah).get(f"/dasbor/peringkat/arsip/{snapshot.pk}/?tab=kelurahan")
    assert [e.kode for e in page.context["page"]] == ["12.71.01.1001"]
    assert page.context["total"] == 4
