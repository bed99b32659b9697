"""Benchmark: queue one month's reminders for 900,000 workers on PostgreSQL.

Run: `uv run python -m bench.reminders [workers]` (default 900,000). It uses
DATABASE_URL=postgres://postgres@127.0.0.1:5432/kepling_bench_reminders unless
BENCH_REMINDERS_DATABASE_URL says otherwise, creates the database when missing, generates the
workers and their paid months set-based (INSERT ... SELECT generate_series) once, and times
`queue_reminders` on the November 2025 cycle (after queueing October's): three days before
the due date (17 Nov, the 15th being a Saturday), the day after it (arrears 1, 2, 3 and the
reactivation invitation), and a repeat run that finds everything already queued. Each timed
run starts as the time between two daily runs leaves the server: the outbox's partitions
vacuumed and analysed (autovacuum does so after a large insert), files written out and a
checkpoint done. The figures go to docs/performance.md by hand.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kepling_bench_reminders"

# Latest paid month by worker id modulo 7 (None: never paid), so statuses vary.
LATEST_PAID = ["2025-10-01", "2025-09-01", "2025-08-01", "2025-07-01", "2025-06-01", "first", None]
INCOMES = "ARRAY[1000000, 1000000, 1000000, 1500000, 2000000, 2500000, 3000000, 4000000, 5000000]"

WORKERS_SQL = f"""
INSERT INTO workers_worker (
    nik_hash, nik_encrypted, nik_masked, kpj, nama, name_key, jenis_kelamin, tanggal_lahir, no_hp,
    pekerjaan, sektor, penghasilan, program, sumber_iuran, tanggal_daftar, withdrawn_on,
    lingkungan_id, kelurahan_id, kecamatan_id, kota_id, consent_at, consent_version, created_at, updated_at
)
SELECT md5(g::text) || md5('n' || g::text), 'bench', '1271********' || lpad((g %% 10000)::text, 4, '0'), '',
       'Pekerja ' || g, 'pekerja ' || g, CASE WHEN g %% 2 = 0 THEN 'L' ELSE 'P' END, DATE '1985-01-01' + (g %% 9000),
       '+62812' || lpad(g::text, 8, '0'), 'Pedagang', CASE WHEN g %% 5 = 0 THEN 'transportasi' ELSE 'lainnya' END,
       ({INCOMES})[1 + g %% 9], CASE WHEN g %% 4 = 0 THEN 'JKK-JKM-JHT' ELSE 'JKK-JKM' END, 'mandiri',
       DATE '2025-05-14' + (g %% 120), NULL, l.id, l.kelurahan_id, l.kecamatan_id, l.kota_id,
       now(), 'bench', now(), now()
FROM generate_series(1, %s) g
JOIN (SELECT id, kelurahan_id, kecamatan_id, kota_id, row_number() OVER (ORDER BY id) - 1 AS n
      FROM regions_wilayah WHERE level = 3) l ON l.n = g %% %s
"""

MONTHS_SQL = """
INSERT INTO contributions_workermonth
    (worker_id, periode, periode_index, amount_due, amount_paid, paid_from, paid_until, kelurahan_id)
SELECT w.id, m::date, EXTRACT(YEAR FROM m)::int * 12 + EXTRACT(MONTH FROM m)::int - 1, 16800, 16800,
       m::date + 9, NULL, w.kelurahan_id
FROM (
    SELECT id, kelurahan_id, date_trunc('month', tanggal_daftar) AS first_month,
           CASE id % 7 WHEN 0 THEN DATE '2025-10-01' WHEN 1 THEN DATE '2025-09-01' WHEN 2 THEN DATE '2025-08-01'
                       WHEN 3 THEN DATE '2025-07-01' WHEN 4 THEN DATE '2025-06-01'
                       WHEN 5 THEN date_trunc('month', tanggal_daftar)::date END AS last_month
    FROM workers_worker
) w
CROSS JOIN LATERAL generate_series(w.first_month, w.last_month, INTERVAL '1 month') m
WHERE w.last_month IS NOT NULL
"""


def _ensure_database(url: str) -> None:
    import dj_database_url

    parsed = dj_database_url.parse(url)
    host, port, user = parsed["HOST"] or "127.0.0.1", str(parsed["PORT"] or 5432), parsed["USER"] or "postgres"
    exists = subprocess.run(
        ["psql", "-h", host, "-p", port, "-U", user, "-Atc",
         f"SELECT 1 FROM pg_database WHERE datname = '{parsed['NAME']}'", "postgres"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", host, "-p", port, "-U", user, parsed["NAME"]], check=True)


def _build_tree(lingkungan_per_kelurahan: int = 14) -> None:
    from django.core.management import call_command
    from django.db import connection

    from kepling.regions.models import KELURAHAN, LINGKUNGAN, Wilayah

    call_command("load_wilayah", verbosity=0)
    rows = []
    kelurahan = list(Wilayah.objects.filter(level=KELURAHAN).order_by("kode"))
    total = 0
    for index, kel in enumerate(kelurahan):
        count = lingkungan_per_kelurahan - (1 if index < 151 * lingkungan_per_kelurahan - 2001 else 0)
        for n in range(1, count + 1):
            total += 1
            rows.append(Wilayah(
                kode=f"{kel.kode}.{n:02d}", nama=f"Lingkungan {n}", level=LINGKUNGAN, parent=kel,
                kota_id=kel.kota_id, kecamatan_id=kel.kecamatan_id, kelurahan_id=kel.pk, target=25,
            ))
    Wilayah.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE regions_wilayah SET lingkungan_id = id WHERE level = %s", [LINGKUNGAN])
    print(f"tree: {len(kelurahan)} kelurahan, {total} lingkungan")


def generate(workers: int) -> None:
    """Workers and their paid months, set-based; skipped when the database already holds them."""
    from django.db import connection

    from kepling.regions.models import LINGKUNGAN, Wilayah
    from kepling.workers.models import Worker

    if Worker.objects.count() == workers:
        print(f"reusing {workers:,} workers")
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE reminders_contactoutcome, reminders_outboxmessage, contributions_workermonth, "
            "contributions_payment, workers_worker CASCADE"
        )
    if not Wilayah.objects.filter(level=LINGKUNGAN).exists():
        _build_tree()
    lingkungan = Wilayah.objects.filter(level=LINGKUNGAN).count()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(WORKERS_SQL, [workers, lingkungan])
        print(f"{workers:,} workers in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        cursor.execute(MONTHS_SQL)
        print(f"{cursor.rowcount:,} paid months in {time.perf_counter() - started:.1f} s")
        # as autovacuum leaves the tables after a large load: visibility map and statistics
        cursor.execute("VACUUM ANALYZE workers_worker")
        cursor.execute("VACUUM ANALYZE contributions_workermonth")


def _as_between_days() -> None:
    """The server as the days between two runs leave it: files written out, the outbox's
    partitions vacuumed and analysed (as autovacuum does after a large insert) and a checkpoint
    done."""
    from django.db import connection

    os.sync()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'reminders_outboxmessage'::regclass"
        )
        for (partition,) in cursor.fetchall():
            cursor.execute(f"VACUUM ANALYZE {partition}")
        cursor.execute("CHECKPOINT")


def time_queueing() -> list[tuple[str, float, int, int]]:
    from django.db import connection

    from kepling.reminders.queueing import queue_reminders

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reminders_contactoutcome, reminders_outboxmessage")
    # The October cycle first, so November's runs time one month's own reminders.
    queue_reminders(as_of=datetime.date(2025, 10, 16), channel="whatsapp_kepling")
    figures = []
    for label, day in (
        ("3 days before the due date", "2025-11-14"),
        ("day after the due date (arrears 1-4)", "2025-11-18"),
        ("repeat run, all already queued", "2025-11-18"),
    ):
        _as_between_days()
        started = time.perf_counter()
        result = queue_reminders(as_of=datetime.date.fromisoformat(day), channel="whatsapp_kepling")
        elapsed = time.perf_counter() - started
        figures.append((f"{label} ({day})", elapsed, result.queued, result.already_queued))
        print(f"{label} ({day}): {elapsed:.1f} s, queued {result.queued:,}, already_queued {result.already_queued:,}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reminders_outboxmessage")
    return figures


def main(workers: int = 900_000) -> None:
    url = os.environ.get("BENCH_REMINDERS_DATABASE_URL", DEFAULT_URL)
    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["KEPLING_CREATE_DATABASE"] = "1"  # a scratch database: migrate creates it
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    generate(workers)
    figures = time_queueing()
    total = sum(f[1] for f in figures[:2])
    print(f"one month's reminders for {workers:,} workers: {total:.1f} s of queueing (target <= 10 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 900_000)
