"""Server time of the dashboard pages on the reference scenario: `python -m bench.dashboard [--reuse] [-n 30]`.

Builds Kota Medan as on 29 Oct 2025 in a scratch SQLite file under var/ (or reuses it with
--reuse), then requests each page through Django's test client as the role that uses it:
one warm-up request, then N timed requests; prints p50 and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "var" / "bench" / "dashboard.sqlite3"
AS_OF = "2025-10-29"

PAGES = [
    ("city", "admin", f"/dasbor/?per={AS_OF}"),
    ("kecamatan", "camat", f"/dasbor/12.71.01/?per={AS_OF}"),
    ("kelurahan", "lurah", f"/dasbor/12.71.01.1001/?per={AS_OF}"),
    ("lingkungan", "lurah", f"/dasbor/12.71.01.1001.01/?per={AS_OF}"),
    ("kecamatan sorted", "admin", f"/dasbor/?per={AS_OF}&urut=-capaian"),
    ("rankings", "admin", f"/dasbor/peringkat/?per={AS_OF}"),
    ("rankings kepling", "admin", f"/dasbor/peringkat/?tab=kepling&per={AS_OF}"),
    ("kepling below target", "admin", f"/dasbor/kepling/?per={AS_OF}"),
]


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuse", action="store_true", help="reuse the scenario built by an earlier run")
    parser.add_argument("-n", "--requests", type=int, default=30)
    args = parser.parse_args()

    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    fresh = not (args.reuse and DATABASE.exists())
    if fresh:
        DATABASE.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["KEPLING_CREATE_DATABASE"] = "1"  # a scratch database: migrate creates it
    os.environ["AXES_ENABLED"] = "0"
    os.environ["DEBUG"] = "1"

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from kepling.accounts.models import User

    if fresh:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("demo", "--yes", "--as-of", AS_OF)
        print(f"Scenario built in {time.perf_counter() - started:.0f} s")
    else:
        call_command("migrate", verbosity=0)

    clients: dict[str, Client] = {}
    print(f"{'page':<22} {'user':<7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for name, username, url in PAGES:
        client = clients.setdefault(username, Client())
        client.force_login(User.objects.get(username=username))
        warm = client.get(url)
        if warm.status_code != 200:
            print(f"{name}: HTTP {warm.status_code}", file=sys.stderr)
            return 1
        samples = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        p95 = percentile(samples, 0.95)
        worst = max(worst, p95)
        print(f"{name:<22} {username:<7} {statistics.median(samples):>8.1f} {p95:>8.1f} {max(samples):>8.1f}")
    print(f"worst p95: {worst:.1f} ms (target 150 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
