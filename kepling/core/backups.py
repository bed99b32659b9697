"""Backups that are consistent while the site is serving, and restores into an empty database.

SQLite: the online backup API copies a consistent snapshot page by page while others keep
writing (a plain file copy can miss acknowledged writes still in the WAL). PostgreSQL:
`pg_dump -Fc` (one snapshot, compressed), `pg_restore` into an empty database. A backup holds
NIKs encrypted: it is unreadable without NIK_ENCRYPTION_KEY and NIK_LOOKUP_KEY, which are
kept apart from it (docs/operations.md).
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import dj_database_url
from django.db import connection

SQLITE_SUFFIX = ".sqlite3"
POSTGRES_SUFFIX = ".pgdump"


class BackupError(Exception):
    """A backup or a restore that cannot be done, in one sentence."""


def _stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _pg_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools, the password passed in the environment."""
    args = ["-h", str(settings_dict.get("HOST") or "127.0.0.1"), "-p", str(settings_dict.get("PORT") or 5432)]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client (apt-get install postgresql-client)")
    return found


def backup(directory: Path) -> Path:
    """Write one backup file of the configured database into `directory`; returns its path."""
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a folder.")
    if connection.vendor == "sqlite":
        target = directory / f"kepling-{_stamp()}{SQLITE_SUFFIX}"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy, pages=1024)
        copy.close()
        return target
    if connection.vendor == "postgresql":
        target = directory / f"kepling-{_stamp()}{POSTGRES_SUFFIX}"
        args, env = _pg_env(connection.settings_dict)
        name = str(connection.settings_dict["NAME"])
        command = [_tool("pg_dump"), *args, "-Fc", "--no-owner", "-f", str(target), name]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1] if done.stderr else 'no output'}")
        return target
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def restore(source: Path, database_url: str) -> None:
    """Restore `source` into the (empty) database at `database_url`."""
    if not source.is_file():
        raise BackupError(f"{source} is not a backup file.")
    target = dj_database_url.parse(database_url)
    if target["ENGINE"] == "django.db.backends.sqlite3":
        _restore_sqlite(source, Path(str(target["NAME"])))
    elif target["ENGINE"].startswith("django.db.backends.postgresql"):
        _restore_postgres(source, dict(target))
    else:
        raise BackupError("Restores go into SQLite or PostgreSQL only.")


def _restore_sqlite(source: Path, path: Path) -> None:
    if source.suffix != SQLITE_SUFFIX:
        raise BackupError(f"{source.name} is not a SQLite backup (a PostgreSQL one ends in {POSTGRES_SUFFIX}).")
    if path.exists():
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as existing:
            tables = existing.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        existing.close()
        if tables:
            raise BackupError(f"{path} is not empty: restore into a new file (set DATABASE_URL to it).")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_file, sqlite3.connect(path) as restored:
        backup_file.backup(restored)
    backup_file.close()
    restored.close()


def _restore_postgres(source: Path, target: dict[str, Any]) -> None:
    if source.suffix != POSTGRES_SUFFIX:
        raise BackupError(f"{source.name} is not a PostgreSQL backup (a SQLite one ends in {SQLITE_SUFFIX}).")
    args, env = _pg_env(target)
    name = str(target["NAME"])
    count_tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    query = subprocess.run(  # noqa: S603
        [_tool("psql"), *args, "-d", name, "-Atc", count_tables], env=env, capture_output=True, text=True, check=False
    )
    if query.returncode != 0:
        raise BackupError(f"The database {name} cannot be reached: create it empty first (createdb {name}).")
    if query.stdout.strip() != "0":
        raise BackupError(f"The database {name} is not empty: restore into a new, empty database.")
    command = [_tool("pg_restore"), *args, "-d", name, "--no-owner", "--exit-on-error", "--single-transaction"]
    done = subprocess.run([*command, str(source)], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip().splitlines()[-1] if done.stderr else 'no output'}")
