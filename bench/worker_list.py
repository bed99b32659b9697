"""Benchmark: the workers list (`/pekerja/`) on 900,000 workers, PostgreSQL.

Run: `uv run python -m bench.worker_list [workers]` (default 900,000). It uses
DATABASE_URL=postgres://postgres@127.0.0.1:5432/kepling_bench_worker_list unless
BENCH_WORKER_LIST_DATABASE_URL says otherwise, generates the workers and their paid months as
`bench.reminders` does (once; reused afterwards) plus one payment dated 10 Oct 2025 (the date
figures are shown for), then times pages of the list as the city, a Camat and a Lurah would
ask for them: the first page, the 40th page reached through "next page" links, and the filters
(status, lingkungan, months in arrears). Django's test client, server time only; prints p50
and p95 per page and the query plan of the city's filtered page.
"""

from __future__ import annotations

import datetime
import html
import os
import re
import statistics
import sys
import time
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kepling_bench_worker_list"
REQUESTS = 20
DEEP_PAGE = 40
NEXT = re.compile(r'<a href="(\?[^"]*)" rel="next"')


def _users() -> dict[str, Any]:
    from kepling.accounts.models import Role, User
    from kepling.regions.models import Wilayah

    wanted = {"admin": (Role.ADMIN_KOTA, "12.71"), "camat": (Role.CAMAT, "12.71.01"),
              "lurah": (Role.LURAH, "12.71.01.1001")}
    users = {}
    for username, (role, kode) in wanted.items():
        user, _ = User.objects.get_or_create(
            username=f"bench-{username}", defaults={"role": role, "wilayah": Wilayah.objects.get(kode=kode)}
        )
        users[username] = user
    return users


def _latest_data() -> None:
    """One payment dated 10 Oct 2025, so the list shows statuses as of that day (as after an extract)."""
    from kepling.contributions.models import Payment
    from kepling.regions.models import Wilayah

    if not Payment.objects.filter(referensi="bench-worker-list").exists():
        Payment.objects.create(
            nik_hash="bench", periode=datetime.date(2025, 10, 1), jumlah=16_800,
            tanggal_bayar=datetime.date(2025, 10, 10), referensi="bench-worker-list",
            kelurahan=Wilayah.objects.filter(level=2).first(),
        )


def _deep_url(client: Any, url: str) -> str:
    """The URL of the DEEP_PAGE-th page, reached through "next page" links as a user would."""
    for _ in range(DEEP_PAGE - 1):
        found = NEXT.search(client.get(url).content.decode())
        assert found is not None, url
        url = "/pekerja/" + html.unescape(found[1])
    return url


def _explain(query_url: str, user: Any) -> None:
    from django.db import connection
    from django.test import RequestFactory

    from kepling.dashboards.queries import default_as_of
    from kepling.workers.listing import filtered_workers, lingkungan_options, read_filters, without_jit

    request = RequestFactory().get(query_url)
    filters = read_filters(request, lingkungan_options(user))
    sql, params = filtered_workers(user, filters, default_as_of())[:26].query.sql_with_params()
    with without_jit(), connection.cursor() as cursor:  # as the page reads it
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main(workers: int = 900_000) -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_WORKER_LIST_DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["KEPLING_CREATE_DATABASE"] = "1"
    os.environ["DEBUG"] = "1"
    from bench.reminders import _ensure_database, generate

    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    generate(workers)
    _latest_data()
    users = _users()
    pages = [
        ("city, first page", "admin", "/pekerja/"),
        ("city, inactive", "admin", "/pekerja/?status=inactive"),
        ("city, in arrears, >= 2 months", "admin", "/pekerja/?status=in_arrears&menunggak=2"),
        ("city, >= 1 month, one lingkungan", "admin", "/pekerja/?menunggak=1&lingkungan=12.71.05.1002.03"),
        ("city, name search", "admin", "/pekerja/?q=pekerja+4242"),
        ("kecamatan, first page", "camat", "/pekerja/"),
        ("kelurahan, >= 3 months", "lurah", "/pekerja/?menunggak=3"),
    ]
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8}")
    for name, who, url in pages:
        client = Client()
        client.force_login(users[who])
        targets = [(name, url)]
        if url == "/pekerja/":
            targets.append((f"{name.split(',')[0]}, page {DEEP_PAGE}", _deep_url(client, url)))
        for label, target in targets:
            assert client.get(target).status_code == 200, target
            samples = []
            for _ in range(REQUESTS):
                start = time.perf_counter()
                client.get(target)
                samples.append((time.perf_counter() - start) * 1000)
            p95 = sorted(samples)[max(0, round(0.95 * len(samples)) - 1)]
            print(f"{label:<36} {statistics.median(samples):>8.1f} {p95:>8.1f}")
    print("\nPlan of the city's page of workers >= 1 month in arrears:")
    _explain("/pekerja/?menunggak=1", users["admin"])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 900_000)
