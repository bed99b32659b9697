"""Rankings in context: each user lands on their own level, ranks read "12 dari 151", rows lead to dashboards."""

from __future__ import annotations

import pytest
from django.test import Client

from kepling.accounts.models import User
from kepling.dashboards.tests.builders import paying_worker
from kepling.regions.models import KELURAHAN, Wilayah
from kepling.testing import City
from kepling.workers.models import Worker

AS_OF = "2025-10-29"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def paid(city: City) -> list[Worker]:
    return [paying_worker(lingkungan, ["2025-09"]) for lingkungan in city.lingkungan[:3]]


OWN_LEVEL = [("lurah", "kelurahan"), ("camat", "kecamatan"), ("admin_kota", "kecamatan")]


@pytest.mark.parametrize(("persona", "tab"), OWN_LEVEL)
def test_the_ranking_opens_on_the_users_own_level(request: pytest.FixtureRequest, paid: None, persona: str, tab: str):
    user: User = request.getfixturevalue(persona)
    page = signed_in(user).get(f"/dasbor/peringkat/?per={AS_OF}")
    assert page.context["tab"] == tab
    assert page.context["page"].object_list, "the user's own level is never an empty tab"


def test_ranks_say_of_how_many_and_rows_link_to_dashboards(lurah: User, city: City, paid: None) -> None:
    client = signed_in(lurah)
    page = client.get(f"/dasbor/peringkat/?tab=kelurahan&per={AS_OF}")
    total = page.context["ranked_total"]
    assert total == Wilayah.objects.filter(level=KELURAHAN).count() == 4  # every kelurahan of the city
    html = page.content.decode()
    entry = page.context["page"].object_list[0]
    assert f"{entry['rank']} dari {total}" in html
    link = f'/dasbor/{entry["kode"]}/?per={AS_OF}'
    assert f'href="{link}"' in html
    assert client.get(link).status_code == 200
