"""Benchmark: apply a 1,000,000-row BPJS payment extract end to end on PostgreSQL; read a 200,000-row XLSX.

Run: `uv run python -m bench.imports [rows]` (default 1,000,000). It uses
DATABASE_URL=postgres://postgres@127.0.0.1:5432/kepling_bench_imports unless
BENCH_IMPORTS_DATABASE_URL says otherwise, creates and migrates the database when missing,
registers rows/10 workers with one COPY (real keyed NIK hashes, so the extract matches them;
every seventh on the JHT program), writes an extract of 10 paid months per worker (1% of rows
for NIKs the registry does not know, 2% underpaid, the JHT workers' months all underpaid), and
times `import_payments_file` (the function `kepling import_payments` and the web jobs call),
then a second application of the same file (everything already present). Each timed application
starts with the extract on disk (`sync`) and from a CHECKPOINT, so it does not pay for writing
out the file just generated or the previous run's pages (a run writes more WAL than the default
max_wal_size, so it still meets checkpoints of its own). Peak memory is the
process's maximum resident set size. The figures go to docs/performance.md by hand.
"""

from __future__ import annotations

import csv
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kepling_bench_imports"
MONTHS = 10
XLSX_ROWS = 200_000


def _ensure_database(url: str) -> None:
    import dj_database_url

    parsed = dj_database_url.parse(url)
    host, port, user = parsed["HOST"] or "127.0.0.1", str(parsed["PORT"] or 5432), parsed["USER"] or "postgres"
    exists = subprocess.run(
        [
            "psql",
            "-h",
            host,
            "-p",
            port,
            "-U",
            user,
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname = '{parsed['NAME']}'",
            "postgres",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", host, "-p", port, "-U", user, parsed["NAME"]], check=True)


def nik(serial: int) -> str:
    """A 16-digit NIK per serial (the import checks the shape only)."""
    return f"1271{serial:012d}"


def build_registry(workers: int) -> None:
    """A city with its lingkungan, and the workers written with one COPY (every seventh on the JHT program)."""
    from django.db import connection

    from kepling.core.crypto import lookup_hash
    from kepling.regions.models import Wilayah
    from kepling.testing import build_city
    from kepling.workers.models import Worker

    if Worker.objects.filter(consent_version="bench").count() == workers == Worker.objects.count():
        print(f"reusing {workers:,} workers")
        return
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE contributions_workermonth, contributions_payment, workers_worker CASCADE")
    if not Wilayah.objects.exists():
        build_city()
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
                    lookup_hash(number),
                    "bench",
                    number[:4] + "********" + number[-4:],
                    "",
                    f"Pekerja {serial}",
                    f"pekerja {serial}",
                    "L",
                    datetime.date(1990, 1, 1),
                    "",
                    "Pedagang",
                    "lainnya",
                    1_000_000,
                    "JKK-JKM-JHT" if serial % 7 == 0 else "JKK-JKM",
                    "mandiri",
                    datetime.date(2025, 1, 2),
                    now,
                    "bench",
                    now,
                    now,
                    *places[serial % len(places)],
                )
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workers_worker")
    print(f"{workers:,} workers in {time.perf_counter() - started:.1f} s")


def write_extract(path: Path, rows: int) -> None:
    workers = rows // MONTHS
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["nik", "kpj", "periode", "jumlah", "tanggal_bayar", "referensi"])
        for n in range(rows):
            serial, month = divmod(n, MONTHS)
            who = nik(serial) if n % 100 else nik(workers + 10_000_000 + n)  # 1% unknown to the registry
            amount = "8000" if n % 50 == 1 else "16800"  # 2% underpaid (and the JHT workers all are)
            writer.writerow([who, "", f"2025-{month + 1:02d}", amount, f"2025-{month + 1:02d}-10", f"BENCH-{n}"])


def _settle() -> None:
    """Start as on a server idle before the import: files written out, a checkpoint done."""
    from django.db import connection

    os.sync()  # the extract written just before is on disk, as an uploaded file would be
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def time_payments(rows: int) -> None:
    from django.db import connection

    from kepling.contributions.imports import import_payments_file

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE contributions_workermonth, contributions_payment CASCADE")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "extract.csv"
        started = time.perf_counter()
        write_extract(path, rows)
        print(f"extract of {rows:,} rows written in {time.perf_counter() - started:.1f} s")
        for label in ("first application", "same file again"):
            _settle()
            started = time.perf_counter()
            result = import_payments_file(path)
            elapsed = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{label}: {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s, peak RSS {peak:,.0f} MiB; "
                f"applied {result.applied:,}, already present {result.already_present:,}, "
                f"rejected {result.rejected:,}"
            )


def time_xlsx() -> None:
    import xlsxwriter

    from kepling.contributions.imports import PAYMENT_COLUMNS, PAYMENT_OPTIONAL, _column_texts
    from kepling.core.tabular import open_table

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "extract.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["nik", "kpj", "periode", "jumlah", "tanggal_bayar", "referensi"])
        for n in range(1, XLSX_ROWS + 1):
            sheet.write_row(n, 0, [nik(n), "", "2025-06", 16800, "2025-06-10", f"X-{n}"])
        book.close()
        readers = {
            "payment import reader (`_column_texts`)": _column_texts,
            "generic reader (`TabularFile.rows`)": lambda table: table.rows(),
        }
        for label, read in readers.items():
            started = time.perf_counter()
            table = open_table(path, required=PAYMENT_COLUMNS, optional=PAYMENT_OPTIONAL)
            count = sum(1 for _row in read(table))
            elapsed = time.perf_counter() - started
            print(f"XLSX, {label}: {count:,} rows read in {elapsed:.2f} s ({count / elapsed:,.0f} rows/s)")


def main(rows: int = 1_000_000) -> None:
    url = os.environ.get("BENCH_IMPORTS_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["KEPLING_CREATE_DATABASE"] = "1"  # a scratch database: migrate creates it
    _ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build_registry(rows // MONTHS)
    time_payments(rows)
    time_xlsx()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
