"""Registration paths: `python -m bench.registration [-n 20000] [--single 1000]`.

Imports register workers through `register_workers_bulk`, which plans a whole batch and writes
it with a handful of set-based statements; the form and the API register one worker at a
time through `register_worker`. Both apply the same rules (a differential test holds them to
it). This measures what the batch path buys, on a scratch database (SQLite under var/bench,
or the PostgreSQL of DATABASE_URL, whose tables are emptied first):

- `bulk`: N new workers, spread over a small city's lingkungan, in one `register_workers_bulk`;
- `single`: a sample of new workers, each through `register_worker` in its own transaction;
- `baseline`: the same N worker rows written with `insert_dicts` alone (no checks, no audit,
  no matching), measured in the same run, so a noisy machine shows in both figures.

Prints one line per path with the rows per second, and the bulk path's speed-up.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kepling.workers.validation import WorkerInput

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "var" / "bench" / "registration.sqlite3"
BORN = datetime.date(1985, 1, 1)


def _setup() -> None:
    if "DATABASE_URL" not in os.environ:
        DATABASE.parent.mkdir(parents=True, exist_ok=True)
        DATABASE.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
        os.environ["KEPLING_CREATE_DATABASE"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "1"
    import django

    django.setup()


def _inputs(start: int, count: int, codes: list[str]) -> list[WorkerInput]:
    from kepling.workers.validation import WorkerInput

    rows: list[WorkerInput] = []
    for serial in range(start, start + count):
        born = BORN + datetime.timedelta(days=serial % 9000)
        nik = f"127101{born.day:02d}{born.month:02d}{born.year % 100:02d}{serial % 10000:04d}"
        rows.append(
            WorkerInput(
                nik=nik, nama=f"Pekerja {serial}", jenis_kelamin="L", tanggal_lahir=born, no_hp="081234567890",
                kode_lingkungan=codes[serial % len(codes)], pekerjaan="Pedagang", sektor="lainnya",
                penghasilan=1_500_000, program="JKK-JKM", sumber_iuran="mandiri",
                tanggal_daftar=datetime.date(2025, 6, 2),
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--rows", type=int, default=20_000, help="workers in the batch (at most 90,000)")
    parser.add_argument("--single", type=int, default=1_000, help="workers registered one by one")
    args, _ = parser.parse_known_args()
    rows = min(args.rows, 90_000)
    _setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from kepling.core.bulk import insert_dicts
    from kepling.testing import build_city
    from kepling.workers.actions import register_worker
    from kepling.workers.bulk import register_workers_bulk
    from kepling.workers.models import Worker

    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    codes = [node.kode for node in build_city().lingkungan]
    print(f"{connection.vendor}, {len(codes)} lingkungan, {rows:,} workers in the batch, {args.single:,} one by one")

    started = time.perf_counter()
    outcome = register_workers_bulk(by=None, rows=_inputs(0, rows, codes), consent_given=True)
    bulk = time.perf_counter() - started
    assert outcome.count("registered") == rows, "the batch did not register every row"

    sample = _inputs(rows, args.single, codes)
    started = time.perf_counter()
    for data in sample:
        register_worker(by=None, data=data, consent_given=True)
    single = time.perf_counter() - started

    template = {k: v for k, v in next(iter(Worker.objects.values()[:1])).items() if k != "id"}
    copies = [{**template, "nik_hash": f"bench-{n}"} for n in range(rows)]
    with transaction.atomic():
        started = time.perf_counter()
        insert_dicts(Worker, copies)
        baseline = time.perf_counter() - started
        transaction.set_rollback(True)

    rates = {"bulk": rows / bulk, "single": args.single / single, "baseline": rows / baseline}
    for name, rate in rates.items():
        print(f"{name:<9} {rate:>10,.0f} workers/s")
    print(f"bulk path {rates['bulk'] / rates['single']:.1f}x the one-by-one path; "
          f"{rates['bulk'] / rates['baseline']:.2f} of a plain insert's rate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
