"""Stored per-lingkungan summaries and the node figures every screen, report and command reads.

Pages only read stored summaries. A background job (`refresh_summaries`, run by `kepling
db_worker`, and nightly by `kepling refresh_summaries`) computes them: a date's summaries for
every lingkungan at once, set-based; and after registry and ledger writes, which mark
lingkungan stale and ask for the job once they commit, just those lingkungan for every stored
date from the change on. The job is single-flight. See docs/decisions/0011-figures-summary-refresh.md.
"""

from __future__ import annotations

import datetime
import fcntl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone
from django_tasks import task

from kepling.contributions.figures import FIGURE_NAMES, NO_FIGURES, StatusFigures, figures_from
from kepling.contributions.models import LingkunganSummary, Payment, SummaryDate
from kepling.contributions.status import lingkungan_figures
from kepling.core.periods import add_months, month_start
from kepling.regions.models import LEVEL_KEYS, LINGKUNGAN, StaleSummary, Wilayah, lingkungan_ancestors
from kepling.regions.queries import statistics_for

# The key of the PostgreSQL advisory lock held while summaries are refreshed.
REFRESH_LOCK = 7_140_001


def percent(part: int, whole: int) -> float | None:
    """part/whole x 100, rounded half up to 2 decimals; None when there is no whole."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def _write_rows(
    as_of: datetime.date, lingkungan: list[Wilayah], figures: dict[int, StatusFigures], *, every: bool = False
) -> None:
    rows = [
        LingkunganSummary(
            lingkungan_id=node.pk,
            **lingkungan_ancestors(node),
            as_of=as_of,
            target=node.target or 0,
            **figures.get(node.pk, NO_FIGURES).figures(),
        )
        for node in lingkungan
    ]
    stored = LingkunganSummary.objects.filter(as_of=as_of)
    (stored if every else stored.filter(lingkungan_id__in=[n.pk for n in lingkungan]))._raw_delete(stored.db)
    LingkunganSummary.objects.bulk_create(rows, batch_size=2000)


def compute_date(as_of: datetime.date) -> None:
    """Compute and store every lingkungan's summary for a date (callers hold `single_flight`)."""
    lingkungan = list(Wilayah.objects.filter(level=LINGKUNGAN))
    figures = lingkungan_figures(as_of)
    with transaction.atomic():
        _write_rows(as_of, lingkungan, figures, every=True)
        SummaryDate.objects.update_or_create(as_of=as_of)


def refresh_lingkungan(as_of: datetime.date, lingkungan: list[Wilayah]) -> None:
    """Recompute the stored summaries of some lingkungan for one date."""
    if not lingkungan:
        return
    kelurahan_ids = sorted({n.kelurahan_id for n in lingkungan if n.kelurahan_id})
    figures = lingkungan_figures(as_of, [n.pk for n in lingkungan], kelurahan_ids)
    with transaction.atomic():
        _write_rows(as_of, lingkungan, figures)


def _lacking_rows(dates: list[datetime.date]) -> dict[datetime.date, set[int]]:
    """Lingkungan created after a date was computed have no row for it yet."""
    total = Wilayah.objects.filter(level=LINGKUNGAN).count()
    counts = dict(
        LingkunganSummary.objects.filter(as_of__in=dates)
        .values_list("as_of")
        .annotate(n=Count("id"))
        .values_list("as_of", "n")
    )
    short = [d for d in dates if counts.get(d, 0) < total]
    if not short:
        return {}
    every = set(Wilayah.objects.filter(level=LINGKUNGAN).values_list("id", flat=True))
    return {
        d: every - set(LingkunganSummary.objects.filter(as_of=d).values_list("lingkungan_id", flat=True)) for d in short
    }


def refresh_stale() -> int:
    """Recompute lingkungan marked stale, for every stored date from their change on (callers hold `single_flight`)."""
    markers = list(StaleSummary.objects.values_list("id", "lingkungan_id", "since"))
    since: dict[int, datetime.date] = {}
    for _id, lingkungan_id, day in markers:
        since[lingkungan_id] = min(day, since.get(lingkungan_id, day))
    dates = list(SummaryDate.objects.values_list("as_of", flat=True))
    lacking = _lacking_rows(dates)
    if not since and not lacking:
        return 0
    nodes = Wilayah.objects.in_bulk([*since, *{i for ids in lacking.values() for i in ids}])
    total = Wilayah.objects.filter(level=LINGKUNGAN).count()
    for as_of in sorted(dates):
        wanted = {i for i, day in since.items() if day <= as_of} | lacking.get(as_of, set())
        if len(wanted) >= total:
            compute_date(as_of)  # every lingkungan: one pass over the city, no lists of ids
        else:
            refresh_lingkungan(as_of, [nodes[i] for i in sorted(wanted) if i in nodes])
    ids = [marker[0] for marker in markers]
    for start in range(0, len(ids), 2000):
        StaleSummary.objects.filter(id__in=ids[start : start + 2000]).delete()
    return len(since)


@contextmanager
def single_flight() -> Iterator[None]:
    """One summary refresh at a time, across processes: a second one waits, then finds little left to do.

    PostgreSQL: a session advisory lock. SQLite (one machine): an exclusive lock on a file
    beside the database.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [REFRESH_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])
        return
    path = Path(settings.VAR_DIR) / "summaries.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pickable_dates(today: datetime.date | None = None) -> list[datetime.date]:
    """The dates pages open on or chart: today, the latest BPJS payment date, and each month end since the start."""
    today = today or timezone.localdate()
    latest = Payment.objects.filter(tanggal_bayar__lte=today).aggregate(d=Max("tanggal_bayar"))["d"] or today
    dates = {today, latest}
    month = month_start(datetime.date.fromisoformat(settings.PROGRAM_START))
    while (end := add_months(month, 1) - datetime.timedelta(days=1)) < latest:
        dates.add(end)
        month = add_months(month, 1)
    return sorted(dates)


def refresh_summaries(dates: Iterable[datetime.date] = (), *, pickable: bool = False) -> dict[str, int]:
    """The refresh job: stale lingkungan first, then any wanted date not stored yet. Safe to run twice at once."""
    with single_flight():
        stale = refresh_stale()
        wanted = set(dates) | (set(pickable_dates()) if pickable else set())
        stored = set(SummaryDate.objects.filter(as_of__in=wanted).values_list("as_of", flat=True))
        missing = sorted(wanted - stored)
        for as_of in missing:
            compute_date(as_of)
    return {"stale": stale, "computed": len(missing)}


@task()
def refresh_summaries_task(dates: list[str], pickable: bool = False) -> dict[str, int]:
    """`refresh_summaries` run by `kepling db_worker`."""
    return refresh_summaries([datetime.date.fromisoformat(d) for d in dates], pickable=pickable)


def _refresh_queued() -> bool:
    """Whether a refresh is queued and not started yet (it will see every change committed so far)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY", task_path=refresh_summaries_task.module_path).exists()


def _enqueue(dates: list[str], pickable: bool) -> None:
    if not dates and not pickable and "DatabaseBackend" in settings.TASKS["default"]["BACKEND"] and _refresh_queued():
        return
    refresh_summaries_task.enqueue(dates, pickable)


def request_refresh(dates: Iterable[datetime.date] = (), *, pickable: bool = False) -> None:
    """Ask the background worker to refresh summaries once the current transaction commits; never computes here."""
    payload = sorted({d.isoformat() for d in dates})
    transaction.on_commit(partial(_enqueue, payload, pickable), robust=True)


def is_ready(as_of: datetime.date) -> bool:
    """Whether a date's summaries are stored (they may still be catching up with recent changes)."""
    return SummaryDate.objects.filter(as_of=as_of).exists()


def ensure_summaries(as_of: datetime.date) -> None:
    """Ask for a date's summaries. Pages never compute them: a background job does, asked for here."""
    ensure_summaries_for([as_of])


def ensure_summaries_for(dates: Iterable[datetime.date]) -> set[datetime.date]:
    """Ask once for those of these dates not stored yet; returns the dates stored now.

    `SUMMARIES_COMPUTE_ON_READ` (test settings only) runs the job at once, so a test reads
    what a user would read once the job has run.
    """
    wanted = set(dates)
    if settings.SUMMARIES_COMPUTE_ON_READ:
        refresh_summaries(wanted)
    stored = set(SummaryDate.objects.filter(as_of__in=wanted).values_list("as_of", flat=True))
    if wanted - stored:
        request_refresh(wanted - stored)
    return stored


@dataclass(frozen=True)
class ShownDate:
    """Which stored date a page shows for the date asked, and whether its figures are being updated."""

    asked: datetime.date
    as_of: datetime.date
    updating: bool

    @property
    def substituted(self) -> bool:
        return self.as_of != self.asked


def shown_date(asked: datetime.date) -> ShownDate:
    """The asked date when stored; else the latest stored date before it (or the latest at all) while it is computed."""
    ensure_summaries(asked)
    if is_ready(asked):
        as_of = asked
    else:
        dates = SummaryDate.objects.order_by("-as_of")
        found = dates.filter(as_of__lte=asked).values_list("as_of", flat=True).first()
        as_of = found or dates.values_list("as_of", flat=True).first() or asked
    pending = StaleSummary.objects.filter(since__lte=as_of).exists()
    return ShownDate(asked, as_of, updating=pending or as_of != asked)


def summary_rows(node: Wilayah, as_of: datetime.date) -> Any:
    """The stored lingkungan rows under a node for a date (call `ensure_summaries` first)."""
    return LingkunganSummary.objects.filter(as_of=as_of, **{f"{LEVEL_KEYS[node.level]}_id": node.pk})


def unit_counts(node: Wilayah) -> dict[str, int]:
    """How many kecamatan, kelurahan and lingkungan the node's subtree holds (itself included)."""
    counts = Wilayah.objects.filter(**{LEVEL_KEYS[node.level]: node}).aggregate(
        **{key: Count("id", filter=Q(level=level)) for level, key in LEVEL_KEYS.items() if level > 0}
    )
    return {key: int(value or 0) for key, value in counts.items()}


def node_summary(node: Wilayah, as_of: datetime.date) -> dict[str, Any]:
    """Every program figure of a node as of a date (contract: `kepling summary --json`), from stored rows only."""
    ensure_summaries(as_of)
    rows = summary_rows(node, as_of)
    sums = rows.aggregate(**{name: Sum(name) for name in FIGURE_NAMES}, target=Sum("target"))
    figures = figures_from(sums)
    # The stored rows carry the target too, so every figure of a date comes from one place.
    target = int(sums["target"] or 0)
    stats = statistics_for(node, as_of)
    labour_force, participants = stats if stats else (None, None)
    return {
        "as_of": as_of.isoformat(),
        "wilayah": {"kode": node.kode, "nama": node.nama, "tingkat": node.tingkat},
        "target": target,
        **figures,
        "remaining": max(0, target - figures["protected"]),
        "progress_pct": percent(figures["protected"], target),
        "kepling_shortfall": kepling_shortfall(rows),
        "labour_force": labour_force,
        "bpjs_active_participants": participants,
        "coverage_pct": percent(stats[1], stats[0]) if stats else None,
        **unit_counts(node),
    }


def kepling_shortfall(rows: Any) -> int:
    """The sum over lingkungan of max(0, target - protected): what the Kepling behind target still owe."""
    behind = rows.filter(protected__lt=F("target")).aggregate(gap=Sum(F("target") - F("protected")))
    return int(behind["gap"] or 0)
