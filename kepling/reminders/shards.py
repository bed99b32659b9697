"""One set-based job spread over several database connections, each taking a range of worker ids.

A PostgreSQL statement runs on one core. A day's queueing is a few statements over every
worker, so on a server with cores to spare it is split by worker id: each range is queued by a
connection of its own, in a transaction of its own, at the same time. The ranges share no
worker, so their rows never meet in an index entry or a lock.

All or nothing: every range finishes its writes, then waits for the others; only when all are
ready do they commit, and if one fails the others roll back. (A crash between two commits can
still leave some ranges queued; queueing is idempotent, so the next run queues the rest.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection
from django.db.models import Max, Min

from kepling.workers.models import Worker

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """Worker ids from `first` to `last`, both included."""

    first: int
    last: int

    def params(self) -> list[int]:
        return [self.first, self.last]


EVERY_WORKER = Shard(-(2**63), 2**63 - 1)


def worker_shards(connections: int, min_workers: int) -> list[Shard]:
    """At most `connections` ranges of about equal width covering every worker id, each of at
    least `min_workers` ids (below that a connection costs more than it saves)."""
    ids = Worker.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = ids["low"], ids["high"]
    if low is None or high is None:
        return [EVERY_WORKER]
    count = max(1, min(connections, (high - low + 1) // max(min_workers, 1)))
    if count == 1:
        return [EVERY_WORKER]
    span = high - low + 1
    firsts = [low + n * span // count for n in range(count)]
    shards = [Shard(first, following - 1) for first, following in zip(firsts, [*firsts[1:], high + 1], strict=True)]
    # The ends stay open, so a worker registered meanwhile still falls in a range.
    shards[0] = Shard(EVERY_WORKER.first, shards[0].last)
    shards[-1] = Shard(shards[-1].first, EVERY_WORKER.last)
    return shards


def run_in_shards(shards: list[Shard], work: Callable[[Shard, Callable[[], None]], T]) -> list[T]:
    """`work(shard, ready)` for every shard at once, the first in this thread and connection and
    each other in a thread and connection of its own; returns their results in shard order.

    `work` opens its transaction, writes, and calls `ready()` before leaving the transaction:
    `ready()` returns when every shard has called it, and raises BrokenBarrierError in every
    shard as soon as one has failed, so that all of them roll back.
    """
    barrier = threading.Barrier(len(shards))

    def ready() -> None:
        barrier.wait()

    def in_own_connection(shard: Shard) -> T:
        try:
            return work(shard, ready)
        except BaseException:
            barrier.abort()
            raise
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(shards) - 1, thread_name_prefix="reminder-shard") as pool:
        others = [pool.submit(in_own_connection, shard) for shard in shards[1:]]
        try:
            first = work(shards[0], ready)
        except threading.BrokenBarrierError:
            raise _first_failure(others) from None
        except BaseException:
            barrier.abort()
            raise
        return [first, *(future.result() for future in others)]


def _first_failure(futures: list[Future[T]]) -> BaseException:
    """The error of the shard that broke the barrier (the others only saw it broken)."""
    errors = [error for future in futures if (error := future.exception()) is not None]
    real = [error for error in errors if not isinstance(error, threading.BrokenBarrierError)]
    return (real or errors or [threading.BrokenBarrierError()])[0]
