"""Summaries are computed by the background job, never in a request; the job is single-flight and safe twice."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from kepling.accounts.models import User
from kepling.contributions.ledger import record_payment
from kepling.contributions.models import LingkunganSummary, SummaryDate
from kepling.contributions.status import lingkungan_figures
from kepling.contributions.summaries import refresh_summaries, refresh_summaries_task
from kepling.regions.models import LINGKUNGAN, StaleSummary, Wilayah
from kepling.testing import City, make_worker

D = datetime.date
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def production_mode(settings: Any) -> Any:
    """Pages as in production: they ask the task queue, they never compute."""
    settings.SUMMARIES_COMPUTE_ON_READ = False
    return settings


def _queued() -> list[Any]:
    from django_tasks import default_task_backend

    return list(default_task_backend.results)  # type: ignore[attr-defined]


def test_a_page_for_a_date_not_computed_shows_the_latest_stored_figures_and_asks_the_job(
    city: City, lurah: User, production_mode: Any, django_capture_on_commit_callbacks: Any
) -> None:
    production_mode.TASKS = DUMMY
    make_worker(city.lingkungan[0], registered="2025-06-02")
    refresh_summaries([D(2025, 7, 1)])
    client = Client()
    client.force_login(lurah)

    # A request runs in autocommit: what it asks for after commit is asked at once.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("dashboards:home"), {"per": "2025-08-01"})

    assert response.status_code == 200
    assert not SummaryDate.objects.filter(as_of=D(2025, 8, 1)).exists()  # nothing computed in the request
    assert "1 Juli 2025" in response.content.decode()  # the figures shown, and said so
    assert ["2025-08-01"] in [r.args[0] for r in _queued()]


def test_a_write_asks_the_job_once_it_commits_and_the_job_brings_every_stored_date_up_to_date(
    city: City, production_mode: Any, django_capture_on_commit_callbacks: Any
) -> None:
    production_mode.TASKS = IMMEDIATE
    worker = make_worker(city.lingkungan[0], registered="2025-06-02")
    refresh_summaries([D(2025, 7, 1)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record_payment(
            by=None, worker=worker, periode=D(2025, 6, 1), jumlah=16_800, tanggal_bayar=D(2025, 6, 5), referensi="R-1"
        )
    row = LingkunganSummary.objects.get(as_of=D(2025, 7, 1), lingkungan=city.lingkungan[0])
    assert row.protected == 0  # the write itself computed nothing
    assert StaleSummary.objects.exists()
    for callback in callbacks:
        callback()  # the commit: the task runs (immediately, in this test's backend)
    row = LingkunganSummary.objects.get(as_of=D(2025, 7, 1), lingkungan=city.lingkungan[0])
    assert row.protected == 1
    assert not StaleSummary.objects.exists()


@pytest.mark.postgres(reason="concurrent writers: PostgreSQL (SQLite serialises its writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_refreshes_never_fail_and_store_the_right_rows(settings: Any) -> None:
    settings.SUMMARIES_COMPUTE_ON_READ = False
    settings.TASKS = DUMMY
    from kepling.testing import build_city

    city = build_city()
    for n in range(6):
        make_worker(city.lingkungan[n % 8], registered="2025-06-02")
    days = [D(2025, 6, 30), D(2025, 7, 31), D(2025, 8, 31)]
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def refresh(worker_number: int) -> None:
        try:
            start.wait()
            for _ in range(3):
                StaleSummary.objects.create(lingkungan=city.lingkungan[worker_number % 8], since=D(2025, 6, 1))
                refresh_summaries_task.call([d.isoformat() for d in days], False)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    refresh_summaries()  # markers left by a thread that marked after the others finished
    lingkungan = Wilayah.objects.filter(level=LINGKUNGAN).count()
    for day in days:
        expected = lingkungan_figures(day)
        stored = {
            r.lingkungan_id: {"registered": r.registered, "never_paid": r.never_paid}
            for r in LingkunganSummary.objects.filter(as_of=day)
        }
        assert len(stored) == lingkungan
        assert {k: {"registered": v.registered, "never_paid": v.never_paid} for k, v in expected.items()} == {
            k: v for k, v in stored.items() if v["registered"]
        }
    assert not StaleSummary.objects.exists()
