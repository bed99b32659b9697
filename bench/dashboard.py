"""Server time of every dashboard page on the reference scenario, cold start included:
`python -m bench.dashboard [--reuse] [-n 30]`.

Builds Kota Medan as on 29 Oct 2025 in a scratch SQLite file under var/bench/ (or reuses it with
--reuse; `BENCH_DASHBOARD_DATABASE_URL` names another database, e.g. PostgreSQL). Then, as
production does, the summaries of a date no page has asked for yet (`COLD_DATE`) are computed
beforehand by the refresh job (`kepling refresh_summaries --as-of`), in this process.

Each page is then measured in a **fresh Python process** started as `kepling serve` starts
(its system checks run, which import the URLconf and every view): the page's first request for
that date (cold: middleware, templates, translations, the database connection and the date's
stored figures all loaded by it), then N more requests. Each request of the page is
followed by one request of `/healthz` (a small page reading the database), the **baseline**
measured in the same process at the same moments: it shows how fast the machine was while the
page was measured. Server time only (Django's test client, no network). Prints, per page: the
cold request, p50, p95 over the cold and warm requests together, max, and the baseline's p95;
and `uptime`. The target (issue 14): p95 at most 150 ms for every page, cold start included.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "var" / "bench" / "dashboard.sqlite3"
AS_OF = "2025-10-29"
# A date `kepling demo` does not store: its summaries are computed by the refresh job before the run.
COLD_DATE = "2025-10-20"
BASELINE = "/healthz"
TARGET_MS = 150

PAGES = [
    ("city", "admin", f"/dasbor/?per={COLD_DATE}"),
    ("city, sorted", "admin", f"/dasbor/?per={COLD_DATE}&urut=-capaian"),
    ("kecamatan", "camat", f"/dasbor/12.71.01/?per={COLD_DATE}"),
    ("kelurahan", "lurah", f"/dasbor/12.71.01.1001/?per={COLD_DATE}"),
    ("lingkungan", "lurah", f"/dasbor/12.71.01.1001.01/?per={COLD_DATE}"),
    ("retention", "admin", f"/dasbor/12.71/retensi/?per={COLD_DATE}"),
    ("kepling below target", "admin", f"/dasbor/kepling/?per={COLD_DATE}"),
    ("rankings", "admin", f"/dasbor/peringkat/?per={COLD_DATE}"),
    ("rankings, kepling", "admin", f"/dasbor/peringkat/?tab=kepling&per={COLD_DATE}"),
    ("queues", "lurah", "/dasbor/antrean/"),
    ("search, name", "admin", "/dasbor/cari/?q=siti"),
    ("search, >= 2 months", "admin", "/dasbor/cari/?menunggak=2"),
    ("follow-up (Kepling)", "kepling", "/pengingat/"),
    ("escalations (Lurah)", "lurah", "/pengingat/eskalasi/"),
    ("workers, city", "admin", "/pekerja/"),
    ("workers, city, >= 2 months", "admin", "/pekerja/?menunggak=2"),
    ("workers, kelurahan", "lurah", "/pekerja/?status=in_arrears"),
    ("workers, Kepling", "kepling", "/pekerja/"),
]


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def uptime() -> str:
    """The machine's load, printed with the figures (the machine is shared)."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()


def _environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings", "AXES_ENABLED": "0",
        "DEBUG": "1", "KEPLING_CREATE_DATABASE": "1",
    })
    return env


def _setup(database_url: str) -> None:
    os.environ.update(_environment(database_url))
    import django

    django.setup()


def child(name: str, requests: int, database_url: str) -> None:
    """One page in a process of its own: its first request, then N more, each followed by the baseline."""
    _setup(database_url)
    from django.core.management import call_command
    from django.test import Client

    from kepling.accounts.models import User

    # As `kepling serve` starts: its system checks import the URLconf (and so every view) before any request.
    call_command("check", fail_level="ERROR", verbosity=0)

    _label, username, url = next(p for p in PAGES if p[0] == name)
    client = Client()
    client.force_login(User.objects.get(username=username))
    page, baseline, statuses = [], [], set()
    for _ in range(requests + 1):
        start = time.perf_counter()
        statuses.add(client.get(url).status_code)
        page.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        client.get(BASELINE)
        baseline.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"page": page, "baseline": baseline, "statuses": sorted(statuses)}))


def build(reuse: bool, database_url: str) -> None:
    fresh = not (reuse and (DATABASE.exists() or not database_url.startswith("sqlite")))
    if fresh and database_url.startswith("sqlite"):
        DATABASE.unlink(missing_ok=True)
    _setup(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if fresh:
        started = time.perf_counter()
        call_command("demo", "--yes", "--as-of", AS_OF)
        print(f"Scenario built in {time.perf_counter() - started:.0f} s")
    from kepling.contributions.models import LingkunganSummary, SummaryDate

    # A cold date each run: forget what an earlier run computed for it, then compute it as the refresh job does.
    LingkunganSummary.objects.filter(as_of=COLD_DATE).delete()
    SummaryDate.objects.filter(as_of=COLD_DATE).delete()
    started = time.perf_counter()
    call_command("refresh_summaries", "--as-of", COLD_DATE, verbosity=0)
    print(f"Summaries of {COLD_DATE} computed beforehand by the refresh job in {time.perf_counter() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuse", action="store_true", help="reuse the scenario built by an earlier run")
    parser.add_argument("-n", "--requests", type=int, default=30)
    parser.add_argument("--from-page", help="start at this page of the list (to finish an interrupted run)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DASHBOARD_DATABASE_URL", f"sqlite:///{DATABASE}")
    if args.child:
        child(args.child, args.requests, database_url)
        return 0
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    build(args.reuse, database_url)
    print(f"uptime before: {uptime()}")
    header = f"{'page':<28} {'cold ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'baseline p95':>12}"
    print(header)
    worst, failed = 0.0, False
    names = [name for name, _username, _url in PAGES]
    start = names.index(args.from_page) if args.from_page else 0
    for name in names[start:]:
        run = subprocess.run(
            [sys.executable, "-m", "bench.dashboard", "--child", name, "-n", str(args.requests)],
            cwd=ROOT, env=_environment(database_url), capture_output=True, text=True, check=False,
        )
        if run.returncode != 0:
            print(f"{name}: the measuring process failed\n{run.stderr[-2000:]}", file=sys.stderr)
            return 1
        result = json.loads(run.stdout.strip().splitlines()[-1])
        samples, baseline = result["page"], result["baseline"]
        if result["statuses"] != [200]:
            print(f"{name}: HTTP {result['statuses']}", file=sys.stderr)
            failed = True
        p95 = percentile(samples, 0.95)
        worst = max(worst, p95)
        print(f"{name:<28} {samples[0]:>8.1f} {statistics.median(samples):>7.1f} {p95:>7.1f} {max(samples):>7.1f}"
              f" {percentile(baseline, 0.95):>12.1f}")
    print(f"uptime after: {uptime()}")
    print(f"worst p95: {worst:.1f} ms (target {TARGET_MS} ms, cold start included)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
