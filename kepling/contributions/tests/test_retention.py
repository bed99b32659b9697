import datetime

from kepling.contributions.ledger import record_payment
from kepling.contributions.retention import cohorts, retention

D = datetime.date
_refs = iter(range(1, 10_000))


def pay(worker, month, on=None):
    month = D.fromisoformat(month + "-01")
    record_payment(
        by=None,
        worker=worker,
        periode=month,
        jumlah=16_800,
        tanggal_bayar=D.fromisoformat(on) if on else month.replace(day=5),
        referensi=f"R{next(_refs)}",
    )


def test_retention_counts_who_kept_paying(city):
    from kepling.testing import make_worker

    kept, stopped, late_joiner = (make_worker(city.lingkungan[0], registered="2025-05-20") for _ in range(3))
    for month in ("2025-05", "2025-06", "2025-07", "2025-08", "2025-09"):
        pay(kept, month)
    pay(stopped, "2025-05")
    pay(late_joiner, "2025-09")
    three, six, twelve = retention(city.kota, D(2025, 10, 1))
    # Month F+3 = August, due 15 Aug: kept and stopped are eligible; the late joiner is not yet.
    assert (three.eligible, three.retained, three.pct) == (2, 1, 50.0)
    assert (six.eligible, twelve.eligible) == (0, 0)


def test_cohorts_by_registration_month(city):
    from kepling.testing import make_worker

    may = make_worker(city.lingkungan[0], registered="2025-05-20")
    make_worker(city.lingkungan[1], registered="2025-05-25")
    june = make_worker(city.lingkungan[0], registered="2025-06-02")
    pay(may, "2025-09")
    pay(june, "2025-06")
    rows = cohorts(city.kota, D(2025, 9, 20))
    assert rows == [
        {"cohort": "2025-05", "registered": 2, "protected": 1, "active": 1, "active_pct": 100.0},
        {"cohort": "2025-06", "registered": 1, "protected": 1, "active": 0, "active_pct": 0.0},
    ]
