"""The dashboard figures (one SQL statement per date) agree with the per-worker status engine.

Random registrations, payments (full, short, late, reversed) and withdrawals; on several dates
the per-lingkungan figures of `lingkungan_figures`, of the stored summaries and of
`kepling summary` must equal what `with_status` and `standing` say worker by worker.
"""

from __future__ import annotations

import datetime
import io
import json
import random
from collections import Counter, defaultdict
from dataclasses import fields

from django.core.management import call_command

from kepling.contributions.figures import FIGURE_NAMES, StatusFigures
from kepling.contributions.ledger import record_payment, reverse_payment
from kepling.contributions.models import LingkunganSummary, StatusCounts
from kepling.contributions.status import Status, lingkungan_figures, registered_on, standing, with_status
from kepling.core.periods import add_months
from kepling.dashboards.models import RankingEntry
from kepling.testing import City, make_user, make_worker
from kepling.workers.actions import withdraw_worker
from kepling.workers.models import Worker

D = datetime.date
SEED = 20251029
WORKERS = 160
FIRST_MONTH = D(2025, 5, 1)
DATES = [D(2025, 5, 31), D(2025, 7, 15), D(2025, 8, 16), D(2025, 10, 29), D(2026, 2, 20)]


def _random_history(city: City, rnd: random.Random) -> None:
    """Workers spread over the city's lingkungan, each with a random payment history."""
    admin = make_user("admin-acak", "admin_kota", city.kota)
    refs = iter(range(1, 10**6))
    for _ in range(WORKERS):
        registered = FIRST_MONTH + datetime.timedelta(days=rnd.randrange(0, 200))
        worker = make_worker(rnd.choice(city.lingkungan), registered=registered.isoformat())
        month = registered.replace(day=1)
        for _ in range(rnd.choice([0, 0, 1, 1, 2, 3, 5, 8])):
            month = add_months(month, rnd.choice([1, 1, 1, 2, 4]))
            paid_on = month + datetime.timedelta(days=rnd.choice([2, 10, 14, 20, 45, 130]))
            amount = rnd.choice([16_800, 16_800, 16_800, 10_000])  # a short payment leaves the month unpaid
            payment = record_payment(
                by=None, worker=worker, periode=month, jumlah=amount, tanggal_bayar=paid_on, referensi=f"R{next(refs)}"
            )
            if rnd.random() < 0.05:
                reverse_payment(
                    by=admin, payment=payment, reason="salah input", on=paid_on + datetime.timedelta(days=7)
                )
        if rnd.random() < 0.05:
            withdraw_worker(by=admin, worker=worker, reason="pindah", on=registered + datetime.timedelta(days=60))


def _per_worker_figures(as_of: D) -> dict[int, StatusFigures]:
    """The figures per lingkungan counted worker by worker from `with_status`."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    workers = with_status(Worker.objects.filter(registered_on(as_of)), as_of)
    for lingkungan_id, status, paid_months in workers.values_list("lingkungan_id", "status", "paid_months"):
        row = counts[lingkungan_id]
        row["registered"] += 1
        row["protected"] += paid_months > 0
        row["paid_one_month_only"] += paid_months == 1
        row[status] += 1
    return {pk: StatusFigures(**{n: row[n] for n in FIGURE_NAMES}) for pk, row in counts.items()}


def _check_sql_against_status_engine(as_of: D, seen: Counter[Status]) -> None:
    assert lingkungan_figures(as_of) == _per_worker_figures(as_of), as_of
    for worker in with_status(Worker.objects.filter(registered_on(as_of)), as_of):
        one = standing(worker, as_of)
        assert (one.status.value, one.arrears_months, len(one.paid_months)) == (
            worker.status,
            worker.arrears_months,
            worker.paid_months,
        ), (worker.pk, as_of)
        seen[one.status] += 1


def _check_stored_and_command(as_of: D) -> None:
    expected = _per_worker_figures(as_of)
    out = io.StringIO()
    call_command("summary", "--as-of", as_of.isoformat(), "--json", stdout=out)
    city_figures = json.loads(out.getvalue())
    for name in FIGURE_NAMES:
        assert city_figures[name] == sum(getattr(f, name) for f in expected.values()), name
    stored = {
        row.lingkungan_id: StatusFigures(**{n: getattr(row, n) for n in FIGURE_NAMES})
        for row in LingkunganSummary.objects.filter(as_of=as_of)
        if row.registered
    }
    assert stored == expected


def test_the_dashboard_figures_count_each_worker_as_the_status_engine_does(city: City) -> None:
    """One random history (built once: it is the slow part), checked on every date."""
    _random_history(city, random.Random(SEED))
    seen: Counter[Status] = Counter()
    for as_of in DATES:
        _check_sql_against_status_engine(as_of, seen)
    assert all(seen[status] for status in Status), f"the random history should reach every status: {seen}"
    _check_stored_and_command(D(2025, 10, 29))


def test_every_stored_table_holds_the_declared_figures() -> None:
    declared = [f.name for f in fields(StatusFigures)]
    assert [f.name for f in StatusCounts._meta.get_fields()] == declared
    for model in (LingkunganSummary, RankingEntry):
        assert set(declared) <= {f.name for f in model._meta.get_fields()}, model
