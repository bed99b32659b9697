"""Benchmark: how long until every stored summary is current after a large change, at city scale on PostgreSQL.

Run: `uv run python -m bench.figures [workers] [edits] [rows]` (default 900,000 workers, 10,000
edits, a 1,000,000-row extract). It uses
DATABASE_URL=postgres://postgres@127.0.0.1:5432/kepling_figures unless BENCH_FIGURES_DATABASE_URL
says otherwise (the database is emptied first). It builds Kota Medan's 2,001 lingkungan, writes the
workers with one COPY (real keyed NIK hashes), computes the dates pages open on, then:

1. applies a 1,000,000-row BPJS extract (`import_payments_file`, as the web job and the command
   do), then times the refresh job (`refresh_summaries`, what `kepling db_worker` runs after the
   commit) until no lingkungan is stale: the time from the end of the extract to every stored
   summary being current;
2. changes the declared income of `edits` workers, one `update_worker` action each (as the
   edit page and the API do), then times the refresh job again;

and after each, the server time of the first request of the city dashboard (the Django test
client in this process, as admin kota), which only reads stored rows, then the same request again
as a same-run baseline, each with the load average. `python -m bench.figures request-cost` then
splits a request's cost on that database (`request_cost`). The figures go to docs/performance.md
by hand.
"""

from __future__ import annotations

import csv
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kepling_figures"
MONTHS = 10


def birth(serial: int) -> datetime.date:
    return datetime.date(1960, 1, 1) + datetime.timedelta(days=serial // 9999)


def nik(serial: int) -> str:
    """A structurally valid NIK (the edits check it like any registration), one per serial."""
    born = birth(serial)
    return f"127101{born:%d%m%y}{serial % 9999 + 1:04d}"


def build(workers: int) -> None:
    """The tree and the workers (no payments yet)."""
    from django.db import connection

    from bench.reminders import _build_tree
    from kepling.core.crypto import encrypt_text, lookup_hash
    from kepling.regions.models import Wilayah

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE contributions_lingkungansummary, contributions_summarydate, regions_stalesummary,"
            " contributions_heldcancellation, contributions_workermonth, contributions_payment, workers_worker CASCADE"
        )
    if not Wilayah.objects.filter(level=3).exists():
        _build_tree()
    places = [(w.pk, w.kelurahan_id, w.kecamatan_id, w.kota_id) for w in Wilayah.objects.filter(level=3)]
    started = time.perf_counter()
    now = datetime.datetime.now(tz=datetime.UTC)
    columns = (
        "nik_hash, nik_encrypted, nik_masked, kpj, nama, name_key, jenis_kelamin, tanggal_lahir, no_hp, pekerjaan,"
        " sektor, penghasilan, program, sumber_iuran, tanggal_daftar, consent_at, consent_version, created_at,"
        " updated_at, lingkungan_id, kelurahan_id, kecamatan_id, kota_id"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY workers_worker ({columns}) FROM STDIN") as copy:
        for serial in range(workers):
            number = nik(serial)
            copy.write_row(
                (
                    lookup_hash(number), encrypt_text(number), number[:4] + "********" + number[-4:], "",
                    f"Pekerja {serial}", f"pekerja {serial}", "L", birth(serial), "+6281234567890", "Pedagang",
                    "lainnya", 1_000_000,
                    "JKK-JKM", "mandiri", datetime.date(2025, 5, 14) + datetime.timedelta(days=serial % 120),
                    now, "bench", now, now, *places[serial % len(places)],
                )
            )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE workers_worker")
    print(f"{workers:,} workers in {len(places):,} lingkungan written in {time.perf_counter() - started:.1f} s")


def write_extract(path: Path, rows: int, workers: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["nik", "periode", "jumlah", "tanggal_bayar", "referensi"])
        for n in range(rows):
            serial, month = divmod(n, MONTHS)
            who = nik(serial % workers) if n % 100 else nik(10_000_000 + n)  # 1% unknown to the registry
            writer.writerow([who, f"2025-{month + 1:02d}", "16800", f"2025-{month + 1:02d}-10", f"FIG-{n}"])


def timed_refresh(label: str) -> None:
    from kepling.contributions.summaries import refresh_summaries
    from kepling.regions.models import StaleSummary

    stale = StaleSummary.objects.values("lingkungan").distinct().count()
    started = time.perf_counter()
    done = refresh_summaries()
    elapsed = time.perf_counter() - started
    print(f"{label}: {stale:,} lingkungan stale; refresh job {elapsed:.1f} s ({done})")
    assert not StaleSummary.objects.exists()


def first_dashboard_request(label: str) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kepling.accounts.models import Role, User
    from kepling.regions.models import Wilayah

    admin = User.objects.filter(username="bench-admin").first()
    if admin is None:
        admin = User.objects.create_user(
            username="bench-admin", password="x" * 16, role=Role.ADMIN_KOTA, wilayah=Wilayah.objects.get(level=0)
        )
    client = Client()
    client.force_login(admin)
    for which in ("first", "warm (same page again)"):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.thread_time()
            response = client.get("/dasbor/")
            elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
        assert response.status_code == 200, response.status_code
        notice = "being" in response.content.decode() or "sedang" in response.content.decode()
        print(
            f"{label}: {which} city dashboard request {elapsed * 1000:.0f} ms ({cpu * 1000:.0f} ms of Python CPU),"
            f" {len(queries)} queries,"
            f" notice={notice}; load average {os.getloadavg()[0]:.1f}"
        )


def request_cost(runs: int = 5) -> None:
    """What a dashboard request costs apart from waiting for a core: its Python CPU time and its queries' server time.

    Run on the database a full run left: `python -m bench.figures request-cost`. Each query the
    request ran is run again under `EXPLAIN ANALYZE` (planning plus execution time).
    """
    import json

    from django.db import connection
    from django.test import Client

    from kepling.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    client.get("/dasbor/")
    ran: list[tuple[str, Any]] = []

    def keep(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        ran.append((sql, params))
        return execute(sql, params, many, context)

    for _run in range(runs):
        ran.clear()
        with connection.execute_wrapper(keep):
            started, cpu = time.perf_counter(), time.thread_time()
            client.get("/dasbor/")
            elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
        server = 0.0
        with connection.cursor() as cursor:
            for sql, params in ran:
                if sql.lstrip().upper().startswith("SELECT"):
                    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
                    plan = cursor.fetchone()[0]
                    plan = plan if isinstance(plan, list) else json.loads(plan)
                    server += plan[0]["Planning Time"] + plan[0]["Execution Time"]
        print(
            f"city dashboard: {elapsed * 1000:.0f} ms wall, {cpu * 1000:.0f} ms Python CPU, {server:.0f} ms of queries"
            f" on the server, {len(ran)} queries; load average {os.getloadavg()[0]:.1f}"
        )


def main(workers: int = 900_000, edits: int = 10_000, rows: int = 1_000_000) -> None:
    from bench.imports import _ensure_database

    os.environ["DATABASE_URL"] = os.environ.get("BENCH_FIGURES_DATABASE_URL", DEFAULT_URL)
    _ensure_database(os.environ["DATABASE_URL"])
    os.environ["KEPLING_CREATE_DATABASE"] = "1"  # a scratch database: migrate creates it
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    from kepling.accounts.models import Role, User
    from kepling.contributions.imports import import_payments_file
    from kepling.contributions.summaries import refresh_summaries
    from kepling.regions.models import Wilayah
    from kepling.workers.actions import update_worker
    from kepling.workers.models import Worker

    call_command("migrate", verbosity=0)
    build(workers)
    started = time.perf_counter()
    print(f"dates pages open on, before any payment: {refresh_summaries(pickable=True)}", end=" ")
    print(f"in {time.perf_counter() - started:.1f} s")
    first_dashboard_request("warming the process (templates, URL map)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "extract.csv"
        write_extract(path, rows, workers)
        started = time.perf_counter()
        result = import_payments_file(path)
        print(f"extract applied in {time.perf_counter() - started:.1f} s: {result.applied:,} rows")
    timed_refresh("after the extract")
    first_dashboard_request("after the extract (its stored dates current)")
    started = time.perf_counter()
    print(f"then the dates pages open on that the extract adds: {refresh_summaries(pickable=True)}", end=" ")
    print(f"in {time.perf_counter() - started:.1f} s")
    first_dashboard_request("after the extract (new latest date ready)")

    admin = User.objects.filter(role=Role.ADMIN_KOTA).first() or User.objects.create_user(
        username="bench-editor", password="x" * 16, role=Role.ADMIN_KOTA, wilayah=Wilayah.objects.get(level=0)
    )
    ids = list(Worker.objects.order_by("id").values_list("id", flat=True)[:: max(1, workers // edits)][:edits])
    started = time.perf_counter()
    for worker in Worker.objects.filter(pk__in=ids).select_related("lingkungan"):
        update_worker(by=admin, worker=worker, changes={"penghasilan": 1_500_000})
    print(f"{len(ids):,} income edits in {time.perf_counter() - started:.1f} s")
    timed_refresh("after the edits")
    first_dashboard_request("after the edits")


def setup_only() -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_FIGURES_DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()


if __name__ == "__main__":
    if sys.argv[1:2] == ["request-cost"]:
        setup_only()
        request_cost()
    else:
        main(*(int(a) for a in sys.argv[1:4]))
