"""Keys without a database constraint are found when they point nowhere."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kepling.contributions.ledger import record_payment
from kepling.contributions.models import Payment, WorkerMonth
from kepling.core.keys import dangling_keys, unchecked_keys
from kepling.reminders.models import ContactOutcome, OutboxMessage
from kepling.testing import make_worker

pytestmark = pytest.mark.django_db


def test_the_bulk_written_tables_are_the_ones_without_constraints():
    tables = {model for model, _field in unchecked_keys()}
    # ContactOutcome: its key to a message of the month-partitioned outbox
    assert tables == {Payment, WorkerMonth, OutboxMessage, ContactOutcome}


def test_a_ledger_row_naming_a_missing_worker_is_reported(city):
    worker = make_worker(city.lingkungan[0])
    june = datetime.date(2025, 6, 1)
    record_payment(by=None, worker=worker, periode=june, jumlah=16_800, tanggal_bayar=june, referensi="K-1")
    out = io.StringIO()
    call_command("check_keys", stdout=out)
    assert "every one points at an existing row" in out.getvalue()

    with connection.cursor() as cursor:
        cursor.execute("UPDATE contributions_payment SET worker_id = %s", [worker.pk + 10_000])
    (problem,) = [p for p in dangling_keys() if p.column == "worker_id" and p.table == "contributions_payment"]
    assert (problem.target, problem.rows) == ("workers_worker", 1)
    with pytest.raises(CommandError):
        call_command("check_keys", stdout=io.StringIO(), stderr=io.StringIO())
