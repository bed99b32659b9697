"""Time to build the city's meeting workbook (and PDF) on the reference scenario: `python -m bench.report [--reuse]`.

Builds Kota Medan as on 29 Oct 2025 in a scratch SQLite file under var/ (or reuses the one
`bench.dashboard` built, with --reuse), then builds the city report as Admin kota (every NIK
decrypted, every one of the 41,380 workers on the Pekerja sheet) N times; prints each time and
the best, against the 10-second target.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "var" / "bench" / "dashboard.sqlite3"
AS_OF = "2025-10-29"
TARGET_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuse", action="store_true", help="reuse the scenario built by an earlier run")
    parser.add_argument("-n", "--runs", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="also time the city PDF")
    args, _rest = parser.parse_known_args()

    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    fresh = not (args.reuse and DATABASE.exists())
    if fresh:
        DATABASE.unlink(missing_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{DATABASE}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "1"

    import django

    django.setup()
    from django.core.management import call_command

    from kepling.accounts.models import User
    from kepling.regions.models import Wilayah
    from kepling.reports.builder import export

    call_command("migrate", verbosity=0)
    if fresh:
        call_command("demo", "--yes", "--as-of", AS_OF)
    admin, city = User.objects.get(username="admin"), Wilayah.objects.get(kode="12.71")
    as_of = datetime.date.fromisoformat(AS_OF)
    formats = ["xlsx", "pdf"] if args.pdf else ["xlsx"]
    for fmt in formats:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            content, _name = export(admin, city, as_of, fmt)
            times.append(time.perf_counter() - start)
        print(f"city {fmt}: {', '.join(f'{t:.1f}' for t in times)} s; best {min(times):.1f} s "
              f"({len(content):,} bytes; target {TARGET_SECONDS:.0f} s for xlsx)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
