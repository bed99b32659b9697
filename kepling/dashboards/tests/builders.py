"""Workers with payment histories for the dashboard tests."""

from __future__ import annotations

import datetime
import itertools

from kepling.contributions.ledger import record_payment
from kepling.regions.models import Wilayah
from kepling.testing import make_worker
from kepling.workers.models import Worker

_references = itertools.count(1)


def paying_worker(
    lingkungan: Wilayah, months: list[str], *, registered: str = "2025-05-20", **fields: object
) -> Worker:
    """A worker who paid the minimum package for each `YYYY-MM` month, on the 10th of that month."""
    worker = make_worker(lingkungan, registered=registered, **fields)
    for month in months:
        pay(worker, month)
    return worker


def pay(worker: Worker, month: str, on: str | None = None) -> None:
    """Record the minimum JKK+JKM contribution for a month."""
    periode = datetime.date.fromisoformat(f"{month}-01")
    paid_on = datetime.date.fromisoformat(on) if on else periode.replace(day=10)
    record_payment(
        by=None, worker=worker, periode=periode, jumlah=16_800, tanggal_bayar=paid_on, referensi=f"T{next(_references)}"
    )
