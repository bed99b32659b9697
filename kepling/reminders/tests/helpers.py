"""Builders for reminder tests: payments by month, and queueing through the command."""

from __future__ import annotations

import datetime
import io
import json
from itertools import count
from typing import Any

from django.core.management import call_command

from kepling.contributions.ledger import record_payment
from kepling.workers.models import Worker

_refs = count(1)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def pay(worker: Worker, month: str, on: str, amount: int = 16_800) -> None:
    """Pay `month` (YYYY-MM) on day `on`."""
    record_payment(
        by=None, worker=worker, periode=d(f"{month}-01"), jumlah=amount, tanggal_bayar=d(on),
        referensi=f"REF-{next(_refs)}",
    )


def pay_months(worker: Worker, months: list[str], amount: int = 16_800) -> None:
    """Pay each month on its 10th."""
    for month in months:
        pay(worker, month, f"{month}-10", amount)


def send(as_of: str, *extra: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("send_reminders", "--as-of", as_of, "--json", *extra, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result
