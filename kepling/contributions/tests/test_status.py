"""The definitions of domain.md section 6, at their edges."""

import datetime

import pytest
from django.utils.translation import gettext

from kepling.contributions.ledger import record_payment, reverse_payment
from kepling.contributions.status import Status, standing, with_status
from kepling.core.periods import due_date
from kepling.testing import make_worker
from kepling.workers.models import Worker

D = datetime.date
_refs = iter(range(1, 10_000))


def pay(worker, month, amount=16_800, on=None):
    month = D.fromisoformat(month + "-01")
    paid_on = D.fromisoformat(on) if on else month.replace(day=5)
    return record_payment(
        by=None, worker=worker, periode=month, jumlah=amount, tanggal_bayar=paid_on, referensi=f"REF-{next(_refs)}"
    )


def status(worker, on):
    return standing(worker, D.fromisoformat(on))


@pytest.fixture
def worker(city):
    return make_worker(city.lingkungan[0], registered="2025-05-20")


def test_due_on_the_15th_or_the_next_working_day():
    assert due_date(D(2025, 10, 1)) == D(2025, 10, 15)  # a Wednesday
    assert due_date(D(2025, 11, 1)) == D(2025, 11, 17)  # the 15th is a Saturday
    # 15 Sep 2024 is a Sunday and Monday 16 Sep is the Prophet's Birthday.
    assert due_date(D(2024, 9, 1)) == D(2024, 9, 17)


def test_month_falls_into_arrears_the_day_after_its_due_date(worker):
    pay(worker, "2025-09")
    assert status(worker, "2025-10-15").status == Status.ACTIVE
    after = status(worker, "2025-10-16")
    assert (after.status, after.arrears_months) == (Status.IN_ARREARS, 1)


def test_holiday_shift_moves_the_arrears_day(worker):
    pay(worker, "2024-08", on="2024-08-05")
    assert status(worker, "2024-09-17").status == Status.ACTIVE
    assert status(worker, "2024-09-18").status == Status.IN_ARREARS


def test_payment_received_after_the_as_of_date_does_not_count(worker):
    pay(worker, "2025-10", on="2025-10-20")
    assert status(worker, "2025-10-19").status == Status.NEVER_PAID
    assert status(worker, "2025-10-20").paid_months == [D(2025, 10, 1)]


def test_advance_payment_counts_as_a_paid_month(worker):
    pay(worker, "2025-10", on="2025-10-03")
    pay(worker, "2025-11", on="2025-10-03")
    s = status(worker, "2025-10-29")
    assert s.paid_months == [D(2025, 10, 1), D(2025, 11, 1)]
    assert s.latest_paid_month == D(2025, 11, 1)
    assert s.status == Status.ACTIVE


def test_three_months_in_arrears_then_inactive_then_reactivated(worker):
    pay(worker, "2025-06")
    assert status(worker, "2025-09-16").arrears_months == 3  # Jul, Aug, Sep
    assert status(worker, "2025-09-16").status == Status.IN_ARREARS
    gone = status(worker, "2025-10-16")
    assert (gone.status, gone.arrears_months) == (Status.INACTIVE, 4)
    pay(worker, "2025-11", on="2025-11-03")
    back = status(worker, "2025-11-05")
    assert back.status == Status.ACTIVE
    assert len(back.paid_months) == 2


def test_underpaid_month_stays_unpaid_until_topped_up(worker):
    pay(worker, "2025-06", amount=10_000, on="2025-06-05")
    assert status(worker, "2025-06-10").status == Status.NEVER_PAID
    pay(worker, "2025-06", amount=6_800, on="2025-06-20")
    assert status(worker, "2025-06-19").status == Status.NEVER_PAID
    assert status(worker, "2025-06-20").paid_months == [D(2025, 6, 1)]


def test_reversal_ends_coverage_from_its_date_and_keeps_history(worker):
    payment = pay(worker, "2025-06", on="2025-06-05")
    reverse_payment(by=None, payment=payment, on=D(2025, 7, 1), reason="double entry at the bank")
    assert status(worker, "2025-06-30").paid_months == [D(2025, 6, 1)]
    assert status(worker, "2025-07-01").status == Status.NEVER_PAID
    assert worker.payments.count() == 2
    with pytest.raises(ValueError, match=gettext("This payment has already been reversed.")):
        reverse_payment(by=None, payment=payment, on=D(2025, 7, 2), reason="again")


def test_amount_due_follows_the_worker_and_the_month(city):
    driver = make_worker(city.lingkungan[0], sektor="transportasi")
    pay(driver, "2026-01", amount=8_400, on="2026-01-05")
    assert status(driver, "2026-01-10").status == Status.ACTIVE
    budget_paid = make_worker(city.lingkungan[0], sektor="transportasi", sumber_iuran="apbd")
    pay(budget_paid, "2026-01", amount=8_400, on="2026-01-05")
    assert status(budget_paid, "2026-01-10").status == Status.NEVER_PAID


def test_annotated_statuses_agree_with_standing_and_sum_to_registered(city):
    workers = [make_worker(city.lingkungan[0]) for _ in range(5)]
    pay(workers[0], "2025-10")
    pay(workers[1], "2025-09")
    pay(workers[2], "2025-05")
    pay(workers[3], "2025-06")
    pay(workers[3], "2025-07")
    as_of = D(2025, 10, 29)
    rows = {w.pk: w for w in with_status(Worker.objects.all(), as_of)}
    for w in workers:
        s = standing(w, as_of)
        assert rows[w.pk].status == s.status.value
        assert rows[w.pk].arrears_months == s.arrears_months
        assert rows[w.pk].paid_months == len(s.paid_months)
    counts = [rows[w.pk].status for w in workers]
    assert counts == ["active", "in_arrears", "inactive", "in_arrears", "never_paid"]
