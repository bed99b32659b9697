"""The restore drill: back up while the site writes, restore into an empty database, and compare."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kepling.core.models import AuditLog
from kepling.reminders.tests.helpers import pay_months
from kepling.testing import City, make_worker
from kepling.workers.models import Worker

# The backup is taken from another connection's point of view: the rows it copies must be committed.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def restore_target(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the test database, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    params = dj_database_url.parse(os.environ["DATABASE_URL"])
    host, port, user = params["HOST"] or "127.0.0.1", str(params["PORT"] or 5432), params["USER"] or "postgres"
    name = f"{connection.settings_dict['NAME']}_restore"
    tools = ["-h", host, "-p", port, "-U", user]
    subprocess.run(["dropdb", "--if-exists", *tools, name], check=True)
    subprocess.run(["createdb", *tools, name], check=True)
    try:
        yield f"postgres://{user}@{host}:{port}/{name}"
    finally:
        subprocess.run(["dropdb", "--if-exists", *tools, name], check=True)


def _tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names() if not t.startswith("sqlite_"))


def _counts_here(tables: list[str]) -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _kepling(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "kepling.manage", *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _counts_there(url: str, tables: list[str]) -> dict[str, int]:
    if url.startswith("sqlite"):
        with sqlite3.connect(dj_database_url.parse(url)["NAME"]) as db:
            return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    import psycopg

    with psycopg.connect(url) as db:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _summary_here(city: City) -> dict[str, Any]:
    out = io.StringIO()
    call_command("summary", "--wilayah", city.kota.kode, "--as-of", "2025-11-30", "--json", stdout=out)
    return json.loads(out.getvalue())


@committed
def test_a_backup_taken_while_writing_restores_every_acknowledged_row(
    city: City, tmp_path: Path, restore_target: str
) -> None:
    for n, lingkungan in enumerate(city.lingkungan * 2):
        worker = make_worker(lingkungan)
        pay_months(worker, ["2025-09", "2025-10"][: n % 3])
    acknowledged_before: list[int] = list(Worker.objects.values_list("pk", flat=True))
    written: list[int] = []
    stop = threading.Event()

    def keep_registering() -> None:
        try:
            while not stop.is_set():
                written.append(make_worker(city.lingkungan[len(written) % len(city.lingkungan)]).pk)
        finally:
            connection.close()

    writer = threading.Thread(target=keep_registering)
    writer.start()
    try:
        out = io.StringIO()
        call_command("backup", str(tmp_path), stdout=out)
    finally:
        stop.set()
        writer.join(timeout=60)
    during = Path(out.getvalue().strip())
    assert during.is_file() and during.parent == tmp_path
    assert written, "the writer wrote while the backup ran"

    # A second backup with nothing writing: the restore must equal the source, table by table.
    out = io.StringIO()
    call_command("backup", str(tmp_path), stdout=out)
    quiet = Path(out.getvalue().strip())
    call_command("restore", str(quiet), "--yes", "--database-url", restore_target, stdout=io.StringIO())
    tables = _tables()
    assert _counts_there(restore_target, tables) == _counts_here(tables)
    assert AuditLog.objects.count() > 0 and "core_auditlog" in tables
    here = _summary_here(city)
    summary = ("summary", "--wilayah", city.kota.kode, "--as-of", "2025-11-30", "--json")
    there = json.loads(_kepling(restore_target, *summary))
    assert there == here

    # The backup taken while writing holds every worker acknowledged before it started.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(during), "--yes", "--database-url", restore_target)
    if connection.vendor == "sqlite":
        with sqlite3.connect(during) as db:
            saved = {pk for (pk,) in db.execute("SELECT id FROM workers_worker")}
        assert set(acknowledged_before) <= saved <= set(acknowledged_before) | set(written)


def test_restore_asks_for_confirmation(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "kepling.sqlite3"))
