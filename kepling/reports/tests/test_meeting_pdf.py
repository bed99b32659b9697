"""The meeting PDF carries the arrears columns and the call list of Kepling below target with their phones."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string

from kepling.contributions.ledger import record_payment
from kepling.regions.models import KeplingTerm
from kepling.reports.builder import collect, pdf, pdf_context
from kepling.testing import make_user, make_worker

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 10, 29)


def test_the_pdf_lists_kepling_below_target_with_phones_and_arrears(city):
    lagging = make_worker(city.lingkungan[1], nama="Lama Tak Bayar")
    record_payment(by=None, worker=lagging, periode=datetime.date(2025, 6, 1), jumlah=16800,
                   tanggal_bayar=datetime.date(2025, 6, 10), referensi="R-1")
    kepling = make_user("kepling-x", "kepling", city.lingkungan[1], first_name="Ani", phone="+6281200000009")
    KeplingTerm.objects.create(kepling=kepling, lingkungan=city.lingkungan[1], start=datetime.date(2025, 1, 1))

    context = pdf_context(collect(city.kelurahan[0], AS_OF))
    assert any(k["phone"] == "+6281200000009" for k in context["behind"])
    gaps = [k["gap"] for k in context["behind"]]
    assert gaps == sorted(gaps, reverse=True)
    html = render_to_string("reports/report_pdf.html", context)
    assert ("+6281200000009" in html and "In arrears" in html) or "Menunggak" in html
    assert pdf(collect(city.kelurahan[0], AS_OF)).startswith(b"%PDF")
