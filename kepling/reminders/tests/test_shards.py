"""A queueing run spread over several connections queues what one connection queues, all or nothing."""

from __future__ import annotations

import datetime
import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest

from kepling.reminders import queueing
from kepling.reminders.models import OutboxMessage
from kepling.reminders.queueing import queue_reminders
from kepling.reminders.shards import EVERY_WORKER, Shard, run_in_shards, worker_shards
from kepling.reminders.tests.helpers import d, pay_months, send
from kepling.testing import City, make_worker

postgres_only = pytest.mark.postgres(reason="runs are spread over connections on PostgreSQL only")
# The shards' own connections see only committed rows, so these tests commit theirs (and put the
# database back as it was afterwards).
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_shards_cover_every_id_in_ranges_of_about_equal_width(city: City) -> None:
    ids = sorted(make_worker(city.lingkungan[0]).pk for _ in range(10))
    shards = worker_shards(3, 2)
    assert len(shards) == 3
    assert (shards[0].first, shards[-1].last) == (EVERY_WORKER.first, EVERY_WORKER.last)
    assert all(left.last + 1 == right.first for left, right in itertools.pairwise(shards))
    sizes = [sum(shard.first <= pk <= shard.last for pk in ids) for shard in shards]
    assert sum(sizes) == 10 and max(sizes) - min(sizes) <= 1
    assert worker_shards(3, 100) == [EVERY_WORKER]  # too few workers to be worth a connection
    assert worker_shards(1, 1) == [EVERY_WORKER]


def test_results_come_back_in_shard_order() -> None:
    shards = [Shard(0, 9), Shard(10, 19), Shard(20, 29)]

    def work(shard: Shard, ready: Callable[[], None]) -> tuple[int, str]:
        ready()
        return shard.first, threading.current_thread().name

    results = run_in_shards(shards, work)
    assert [first for first, _thread in results] == [0, 10, 20]
    assert results[0][1] == threading.current_thread().name  # the first runs in the caller's thread
    assert len({thread for _first, thread in results}) == 3


@pytest.mark.parametrize("failing", [0, 2])
def test_one_shard_failing_stops_every_shard_before_it_commits(failing: int) -> None:
    shards = [Shard(0, 9), Shard(10, 19), Shard(20, 29)]
    committed_shards: list[int] = []

    def work(shard: Shard, ready: Callable[[], None]) -> None:
        if shard == shards[failing]:
            raise RuntimeError("disk full")
        ready()
        committed_shards.append(shard.first)

    with pytest.raises(RuntimeError, match="disk full"):
        run_in_shards(shards, work)
    assert committed_shards == []


def _workers_in_every_standing(city: City) -> None:
    """Workers spread over several lingkungan and ids: never paid, current, 1-4 months behind, gone."""
    for n, lingkungan in enumerate(city.lingkungan * 3):
        worker = make_worker(lingkungan, registered="2025-05-20", penghasilan=1_000_000 + 500_000 * (n % 3))
        latest = ["2025-10", "2025-09", "2025-08", "2025-07", "2025-06", None][n % 6]
        if latest:
            pay_months(worker, [latest])
        if n % 7 == 6:
            worker.withdrawn_on = d("2025-11-01")
            worker.save()


def _queued() -> set[tuple[Any, ...]]:
    return set(OutboxMessage.objects.values_list("worker_id", "rule__code", "periode", "jumlah", "queued_on"))


DAYS = ["2025-10-16", "2025-11-14", "2025-11-15", "2025-11-18"]


@postgres_only
@committed
def test_a_run_over_three_connections_queues_what_one_connection_queues(
    city: City, settings: Any, monkeypatch: pytest.MonkeyPatch, new_partitions_dropped: None
) -> None:
    _workers_in_every_standing(city)
    used: list[int] = []

    def counted(shards: list[Shard], work: Any) -> Any:
        used.append(len(shards))
        return run_in_shards(shards, work)

    monkeypatch.setattr(queueing, "run_in_shards", counted)
    monkeypatch.setattr(queueing, "SHARD_MIN_WORKERS", 1)
    settings.REMINDER_QUEUE_CONNECTIONS = 3
    spread = [send(day) for day in DAYS]
    spread_rows = _queued()
    assert used == [3, 3, 3, 3]
    assert spread_rows and spread[1]["queued"] > 0 and spread[2]["queued"] == 0

    OutboxMessage.objects.all().delete()
    settings.REMINDER_QUEUE_CONNECTIONS = 1
    single = [send(day) for day in DAYS]
    assert used == [3, 3, 3, 3]  # not called again
    assert spread == single
    assert _queued() == spread_rows


@postgres_only
@committed
@pytest.mark.parametrize("failing", ["first", "last"])
def test_a_range_that_fails_leaves_the_whole_run_unqueued(
    city: City, settings: Any, monkeypatch: pytest.MonkeyPatch, new_partitions_dropped: None, failing: str
) -> None:
    _workers_in_every_standing(city)
    run_group = queueing._run_group

    def failing_group(cursor: Any, spec: Any, month: Any, rules: Any, shard: Shard) -> Any:
        runs = run_group(cursor, spec, month, rules, shard)  # its rows are written, then it fails
        if (shard.first == EVERY_WORKER.first) == (failing == "first"):
            raise RuntimeError("disk full")
        return runs

    monkeypatch.setattr(queueing, "_run_group", failing_group)
    monkeypatch.setattr(queueing, "SHARD_MIN_WORKERS", 1)
    settings.REMINDER_QUEUE_CONNECTIONS = 2
    with pytest.raises(RuntimeError, match="disk full"):
        queue_reminders(as_of=datetime.date(2025, 11, 14), channel="whatsapp_kepling")
    assert OutboxMessage.objects.count() == 0
    monkeypatch.setattr(queueing, "_run_group", run_group)
    assert queue_reminders(as_of=datetime.date(2025, 11, 14), channel="whatsapp_kepling").queued > 0
