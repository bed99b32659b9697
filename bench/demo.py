"""Benchmark: build the reference scenario on SQLite and time it.

Run: `uv run python -m bench.demo` (a scratch database under var/bench/; the figure goes to
docs/performance.md by hand, with the machine it ran on).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(runs: int = 3) -> None:
    scratch = ROOT / "var" / "bench"
    scratch.mkdir(parents=True, exist_ok=True)
    database = scratch / "demo.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["KEPLING_CREATE_DATABASE"] = "1"  # a scratch database: migrate creates it
    import django

    django.setup()
    from django.core.management import call_command

    from kepling.demo.scenario import build_demo

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    timings = []
    for run in range(runs):
        started = time.perf_counter()
        build_demo(seed=run + 1)
        timings.append(time.perf_counter() - started)
        print(f"run {run + 1}: {timings[-1]:.1f} s")
    print(f"demo build on SQLite: median {statistics.median(timings):.1f} s, max {max(timings):.1f} s ({runs} runs)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
