"""A running copy of the product on the reference scenario, for browser tests.

The site runs in its own process on its own database (a SQLite file, or a PostgreSQL
database when DATABASE_URL names one), built once per test session with `kepling demo`, so
tests drive the real pages exactly as a user would. Tests change it only through the product
itself (its pages and its commands).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dj_database_url

CHROMIUM = os.environ.get("KEPLING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(workdir: Path) -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        parsed = dj_database_url.parse(configured)
        name = f"kepling_browser_{os.getpid()}"
        host, port, user = parsed["HOST"] or "127.0.0.1", str(parsed["PORT"] or 5432), parsed["USER"] or "postgres"
        for command in (["dropdb", "--if-exists"], ["createdb"]):
            subprocess.run([*command, "-h", host, "-p", port, "-U", user, name], check=True)
        return f"postgres://{user}@{host}:{port}/{name}"
    return f"sqlite:///{workdir / 'site.sqlite3'}"


@dataclass
class DemoSite:
    """The running site: its address, and the product's commands against its database."""

    url: str
    env: dict[str, str]

    def kepling(self, *args: str) -> str:
        """Run a `kepling` command against the site's database; returns its output."""
        done = subprocess.run(
            [sys.executable, "-m", "kepling.manage", *args], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"kepling {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout


def start_demo_site(workdir: Path) -> Iterator[DemoSite]:
    """Build the reference scenario in a fresh database and serve it until the generator is closed."""
    port = _free_port()
    env = {
        **os.environ, "DATABASE_URL": _database_url(workdir), "DEBUG": "1", "AXES_ENABLED": "0",
        "KEPLING_VAR_DIR": str(workdir), "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    site = DemoSite(f"http://127.0.0.1:{port}", env)
    site.kepling("migrate", "--noinput", "-v0")
    site.kepling("demo", "--yes")
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "kepling.manage", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(site.url + "/masuk/")
        yield site
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - the local test server
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"The test site did not answer at {url}")
