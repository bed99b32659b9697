import datetime

import pytest

from kepling.contributions.tariffs import TariffBook, amount_due

D = datetime.date


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("month", "program", "sektor", "payer", "income", "expected"),
    [
        # Before PP 50/2025: JKK 1% + JKM 6.800, JHT 2% on top.
        (D(2025, 10, 1), "JKK-JKM", "lainnya", "mandiri", 1_000_000, 16_800),
        (D(2025, 10, 1), "JKK-JKM-JHT", "lainnya", "mandiri", 1_000_000, 36_800),
        (D(2025, 12, 1), "JKK-JKM", "transportasi", "mandiri", 2_500_000, 31_800),
        (D(2025, 10, 1), "JKK-JKM", "lainnya", "mandiri", 20_700_000, 213_800),
        # Incomes outside the bounds are charged on the bound.
        (D(2025, 10, 1), "JKK-JKM", "lainnya", "mandiri", 50_000_000, 213_800),
        (D(2025, 10, 1), "JKK-JKM", "lainnya", "mandiri", 500_000, 16_800),
        # Transport: halved Jan 2026 .. Mar 2027.
        (D(2026, 1, 1), "JKK-JKM", "transportasi", "mandiri", 1_000_000, 8_400),
        (D(2027, 3, 1), "JKK-JKM", "transportasi", "donatur", 1_000_000, 8_400),
        (D(2027, 4, 1), "JKK-JKM", "transportasi", "mandiri", 1_000_000, 16_800),
        # JHT is never halved.
        (D(2026, 1, 1), "JKK-JKM-JHT", "transportasi", "mandiri", 1_000_000, 28_400),
        # Other sectors: halved Apr .. Dec 2026 only.
        (D(2026, 3, 1), "JKK-JKM", "lainnya", "mandiri", 1_000_000, 16_800),
        (D(2026, 4, 1), "JKK-JKM", "lainnya", "csr", 1_000_000, 8_400),
        (D(2026, 12, 1), "JKK-JKM", "lainnya", "mandiri", 1_000_000, 8_400),
        (D(2027, 1, 1), "JKK-JKM", "lainnya", "mandiri", 1_000_000, 16_800),
        # Not for participants paid from the state or city budget.
        (D(2026, 6, 1), "JKK-JKM", "lainnya", "apbd", 1_000_000, 16_800),
        (D(2026, 6, 1), "JKK-JKM", "transportasi", "apbn", 1_000_000, 16_800),
        # Odd amounts round half up per component: JKK 1% of 1.234.567 = 12.346; halved 6.173.
        (D(2025, 10, 1), "JKK-JKM", "lainnya", "mandiri", 1_234_567, 19_146),
        (D(2026, 5, 1), "JKK-JKM", "lainnya", "mandiri", 1_234_567, 9_573),
    ],
)
def test_amount_due_across_dates_sectors_payers_and_programs(month, program, sektor, payer, income, expected):
    assert amount_due(month=month, program=program, sektor=sektor, sumber_iuran=payer, penghasilan=income) == expected


@pytest.mark.django_db
def test_breakdown_names_each_component():
    book = TariffBook()
    due = book.due(
        month=D(2026, 2, 1), program="JKK-JKM-JHT", sektor="transportasi", sumber_iuran="mandiri", penghasilan=1_000_000
    )
    assert due.components == {"JKK": 5_000, "JKM": 3_400, "JHT": 20_000}
    assert due.total == 28_400
