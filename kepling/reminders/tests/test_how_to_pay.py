"""Every reminder and the registration's last page say what to pay, with what number, where, and why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kepling.accounts.models import User
from kepling.contributions.tariffs import amount_due
from kepling.core.formatting import format_date, format_month, format_rupiah
from kepling.core.periods import due_date
from kepling.reminders.defaults import DEFAULT_RULES
from kepling.reminders.messages import MESSAGE_MAX_CHARS, MessageTexts, compose, pay_number
from kepling.reminders.models import OutboxMessage, PaymentChannel, ReminderRule
from kepling.reminders.tests.helpers import d, pay_months, send
from kepling.testing import City, make_worker

pytestmark = pytest.mark.django_db

LONG_NAME = "Muhammad Rizky Pratama Hutagalung Siregar Nasution Lubis"  # 57 characters
LONG_KEPLING = "Hj. Nurhayati Br. Simanjuntak Panggabean"


@pytest.mark.parametrize("rule", DEFAULT_RULES, ids=[r["code"] for r in DEFAULT_RULES])
@pytest.mark.parametrize(
    ("month", "sektor", "program", "kpj"),
    [
        ("2026-04-01", "lainnya", "JKK-JKM", ""),  # PP 50/2025: halved for every informal worker
        ("2026-01-01", "transportasi", "JKK-JKM-JHT", "12345678901"),  # halved for transport, JHT not
        ("2025-10-01", "lainnya", "JKK-JKM-JHT", ""),  # before the discount
    ],
)
def test_each_message_says_what_with_what_and_where_and_fits(
    city: City, rule: dict[str, str], month: str, sektor: str, program: str, kpj: str
) -> None:
    worker = make_worker(city.lingkungan[0], nama=LONG_NAME, sektor=sektor, program=program, kpj=kpj,
                         penghasilan=20_700_000)
    periode = d(month)
    amount = amount_due(month=periode, program=program, sektor=sektor, sumber_iuran="mandiri", penghasilan=20_700_000)
    body = compose(rule["template"], month=periode, nama=worker.nama, jumlah=amount, kepling=LONG_KEPLING,
                   nomor=pay_number(worker))
    assert format_rupiah(amount) in body and format_month(periode) in body
    assert format_date(due_date(periode)) in body
    assert (f"KPJ {kpj}" if kpj else f"NIK {worker.nik_masked}") in body
    assert "aplikasi JMO" in body and "bank" in body and "Indomaret" in body
    assert "Rp42 juta" in body  # the benefit line
    assert "{" not in body
    assert len(body) <= MESSAGE_MAX_CHARS, len(body)


def test_the_discounted_amount_is_what_the_outbox_message_says(city: City) -> None:
    """A before-due reminder for April 2026 (halved for other sectors) through the real queueing."""
    worker = make_worker(city.lingkungan[0], nama="Rina Discount")
    pay_months(worker, ["2026-01", "2026-02", "2026-03"])
    send("2026-04-12")
    message = OutboxMessage.objects.get(worker=worker)
    body = MessageTexts()(message)
    assert message.periode == d("2026-04-01")
    assert "Rp8.400" in body and "April 2026" in body and f"NIK {worker.nik_masked}" in body


def test_payment_channels_are_data(city: City) -> None:
    PaymentChannel.objects.all().delete()
    PaymentChannel.objects.create(nama="Kantor Cabang BPJS Medan Kota", position=1)
    worker = make_worker(city.lingkungan[0])
    rule = ReminderRule.objects.get(code="h-3")
    body = compose(rule.template, month=d("2026-05-01"), nama=worker.nama, jumlah=8_400, kepling="")
    assert "lewat Kantor Cabang BPJS Medan Kota." in body and "JMO" not in body


def test_the_registrations_last_page_says_how_to_pay(city: City, kepling_user: User) -> None:
    from kepling.workers.tests.test_views import form_data

    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(kepling_user)
    page = client.post(reverse("workers:register"), form_data(), follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    how = html.split('data-testid="how-to-pay"', 1)[1].split("</section>", 1)[0]
    assert "Bayar <strong>Rp" in how and "paling lambat" in how
    assert "NIK 1271" in how and "aplikasi JMO" in how and "Rp42 juta" in how
