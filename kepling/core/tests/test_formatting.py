"""Indonesian number, percent, Rupiah and date formats, as functions and template filters."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from kepling.core.formatting import (
    format_date,
    format_month,
    format_number,
    format_percent,
    format_rupiah,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, "1.234.567"),
        (0, "0"),
        (999, "999"),
        (1000, "1.000"),
        (50025, "50.025"),
        (-12967, "-12.967"),
        (Decimal("875743"), "875.743"),
        ("37058", "37.058"),
        (None, "–"),
    ],
)
def test_format_number(value: object, expected: str) -> None:
    assert format_number(value) == expected  # type: ignore[arg-type]


def test_format_number_with_decimals_uses_a_comma() -> None:
    assert format_number(1234.5, 2) == "1.234,50"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("74.08"), "74,08%"),
        (Decimal("53.9"), "53,90%"),
        (Decimal("100"), "100,00%"),
        (Decimal("0.005"), "0,01%"),
        (Decimal("1234.5"), "1.234,50%"),
        (None, "–"),
    ],
)
def test_format_percent(value: Decimal | None, expected: str) -> None:
    assert format_percent(value) == expected


def test_format_percent_rounds_half_up() -> None:
    assert format_percent(Decimal("74.085")) == "74,09%"
    assert format_percent(Decimal("74.075")) == "74,08%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (16800, "Rp16.800"),
        (36800, "Rp36.800"),
        (8400, "Rp8.400"),
        (20700000, "Rp20.700.000"),
        (0, "Rp0"),
        (-16800, "-Rp16.800"),
    ],
)
def test_format_rupiah(value: int, expected: str) -> None:
    assert format_rupiah(value) == expected


def test_format_date_uses_indonesian_month_names() -> None:
    assert format_date(datetime.date(2025, 10, 29)) == "29 Oktober 2025"
    assert format_date(datetime.date(2025, 5, 14)) == "14 Mei 2025"
    assert format_date(datetime.date(2026, 1, 1)) == "1 Januari 2026"
    assert format_month(datetime.date(2025, 8, 1)) == "Agustus 2025"


def test_formats_do_not_depend_on_the_active_language() -> None:
    with translation.override("en"):
        assert format_number(1234567) == "1.234.567"
        assert format_percent(Decimal("74.08")) == "74,08%"
        assert format_date(datetime.date(2025, 10, 29)) == "29 Oktober 2025"


def render(source: str, **context: object) -> str:
    return Template("{% load kepling_format %}" + source).render(Context(context))


def test_template_filters() -> None:
    assert render("{{ n|angka }}", n=1234567) == "1.234.567"
    assert render("{{ p|persen }}", p=Decimal("74.08")) == "74,08%"
    assert render("{{ r|rupiah }}", r=16800) == "Rp16.800"
    assert render("{{ d|tanggal }}", d=datetime.date(2025, 10, 29)) == "29 Oktober 2025"
    assert render("{{ m|bulan }}", m=datetime.date(2025, 10, 1)) == "Oktober 2025"
    assert render("{{ missing|angka }}") == "–"


def test_tanggal_reads_an_aware_datetime_in_jakarta_time() -> None:
    late_utc = datetime.datetime(2025, 10, 28, 20, 30, tzinfo=datetime.UTC)  # 03.30 WIB on the 29th
    assert render("{{ t|tanggal }}", t=late_utc) == "29 Oktober 2025"


def test_menit_rounds_a_waiting_time_up() -> None:
    assert render("{{ w|menit }}", w=datetime.timedelta(minutes=15)) == "15"
    assert render("{{ w|menit }}", w=datetime.timedelta(minutes=14, seconds=1)) == "15"
