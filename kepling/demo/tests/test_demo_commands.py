"""`kepling demo` and `kepling demo_if_empty` without building the scenario: their guards and what they print,
and the synthetic people the scenario is made of."""

from __future__ import annotations

import datetime
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from stdnum.id import nik as stdnum_nik

from kepling.core.models import AuditLog
from kepling.demo.people import NikFactory, birth_date, full_name, occupation, phone, roman
from kepling.demo.scenario import DEMO_PASSWORD, demo_logins
from kepling.regions.models import Wilayah
from kepling.testing import City


@pytest.fixture(autouse=True)
def _scenario_db_access() -> None:
    """These tests build no scenario: this replaces the package's fixture that builds it for every test."""


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_demo_refuses_to_replace_the_data_with_debug_off_unless_confirmed(city: City, settings) -> None:
    settings.DEBUG = False
    before = Wilayah.objects.count()
    with pytest.raises(CommandError, match="Add --yes to confirm"):
        run("demo")
    assert Wilayah.objects.count() == before
    assert not AuditLog.objects.filter(action="demo_built").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("as_of", "says"),
    [("29/10/2025", "--as-of must be written YYYY-MM-DD, not '29/10/2025'"), ("2025-05-20", "at least 45 days")],
)
def test_demo_refuses_a_date_it_cannot_build_and_keeps_the_data(city: City, settings, as_of: str, says: str) -> None:
    settings.DEBUG = True
    before = Wilayah.objects.count()
    with pytest.raises(CommandError, match=says):
        run("demo", "--as-of", as_of)
    assert Wilayah.objects.count() == before


@pytest.mark.django_db
def test_demo_if_empty_leaves_a_database_that_holds_data_and_prints_the_logins(city: City) -> None:
    before = Wilayah.objects.count()
    lines = run("demo_if_empty").splitlines()
    assert lines[0] == "The database already holds data: the demo is not rebuilt."
    assert lines[1] == f"Demo logins (password for all: {DEMO_PASSWORD}):"
    assert [line.split()[0] for line in lines[2:]] == [username for username, _what in demo_logins()]
    assert Wilayah.objects.count() == before


def test_synthetic_niks_are_valid_unique_and_carry_birth_date_and_sex() -> None:
    rng = random.Random(7)
    factory = NikFactory(rng)
    born = datetime.date(1990, 5, 15)
    niks = [factory.make(1, born, female=n % 2 == 1) for n in range(400)]
    assert len(set(niks)) == len(niks)
    for number, value in enumerate(niks):
        assert stdnum_nik.is_valid(value), value
        assert value[6:12] == ("550590" if number % 2 else "150590")  # women: day + 40
    # Most are issued in Medan's kecamatan; some elsewhere, never rejected for it.
    medan = sum(value.startswith("127101") for value in niks)
    assert 300 < medan < len(niks)


def test_synthetic_people_are_adults_with_mobile_numbers_and_informal_work() -> None:
    rng = random.Random(3)
    registered = datetime.date(2025, 6, 1)
    for _ in range(300):
        age_years = (registered - birth_date(rng, registered)).days / 365.25
        assert 19 <= age_years <= 62
        number = phone(rng)
        assert number.startswith("+628") and len(number) in (13, 14) and number[1:].isdigit()
        job, sektor = occupation(rng)
        assert job and sektor in {"transportasi", "lainnya"}
        assert 1 <= len(full_name(rng, female=bool(rng.getrandbits(1))).split()) <= 3


def test_the_same_seed_gives_the_same_people() -> None:
    def people(seed: int) -> list[tuple[str, str]]:
        rng = random.Random(seed)
        return [(full_name(rng, female=False), phone(rng)) for _ in range(20)]

    assert people(5) == people(5)
    assert people(5) != people(6)


@pytest.mark.parametrize(
    ("number", "numeral"), [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (19, "XIX"), (24, "XXIV"), (38, "XXXVIII")]
)
def test_lingkungan_are_numbered_with_roman_numerals(number: int, numeral: str) -> None:
    assert roman(number) == numeral
