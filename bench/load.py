"""Load test of the served app: `python -m bench.load [--factor 2] [--duration 300] [--reuse]`.

Serves the reference scenario with `kepling serve` (DEBUG off, several worker processes) on
the database of DATABASE_URL (PostgreSQL for the 2x-peak run; SQLite at 1x), then sends, on
loopback only and for a bounded time, the city's peak mix multiplied by --factor
(docs/performance.md, "Load"): Kepling registrations, Kepling home pages, dashboard reads by
officials and API reads. Requests arrive at fixed rates (open loop), each sent by a pool of
at most 48 threads; every request has a 30 s timeout. Afterwards the database is checked:
every acknowledged registration is there exactly once, none that was refused is.

Prints one JSON object: per request type the count, statuses, p50/p95/max in ms, and the
registration check. Exits non-zero on any 5xx or a lost or duplicated registration.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEPLING = [sys.executable, "-m", "kepling.manage"]
AS_OF = "2025-10-29"
# The bench's own keys (loopback only): the scenario and the server must use the same ones.
BENCH_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-load-secret-key-loopback-only-0123456789abcdefghijklmnop",
    "NIK_ENCRYPTION_KEY": "YmVuY2gtbG9hZC1uaWsta2V5LWxvb3BiYWNrLW9ubHk=",
    "NIK_LOOKUP_KEY": "bench-load-nik-lookup-key-loopback-only",
    "SECURE_SSL_REDIRECT": "0",
    "AXES_ENABLED": "0",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
# Requests per second at the city's peak hour (docs/performance.md, "Load").
PEAK_RATES = {"registration": 0.42, "kepling_home": 0.83, "dashboard": 1.07, "api": 1.0}
DASHBOARD_PAGES = [
    ("admin", f"/dasbor/?per={AS_OF}"),
    ("camat", f"/dasbor/12.71.01/?per={AS_OF}"),
    ("lurah", f"/dasbor/12.71.01.1001/?per={AS_OF}"),
    ("lurah", f"/dasbor/12.71.01.1001.01/?per={AS_OF}"),
    ("admin", f"/dasbor/peringkat/?per={AS_OF}"),
]
API_PATHS = ["/api/v1/wilayah/12.71/summary", "/api/v1/wilayah/12.71.01/summary", "/api/v1/wilayah"]
PASSWORD = "kepling-demo"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Session:
    """One signed-in browser: its own connection and cookies (the Secure flag is ignored on loopback)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "kepling-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def csrf(self, path: str) -> str:
        status, text = self.request("GET", path)
        found = CSRF_FIELD.search(text)
        if status != 200 or not found:
            raise RuntimeError(f"no form at {path} (HTTP {status})")
        return found.group(1)

    def sign_in(self, username: str) -> None:
        token = self.csrf("/masuk/")
        status, _ = self.request(
            "POST", "/masuk/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"{username} could not sign in (HTTP {status})")


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)  # names of registrations answered 302
    refused: list[str] = field(default_factory=list)  # answered otherwise
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds * 1000)
            self.statuses[kind][status] += 1


def nik_for(serial: int, block: int) -> str:
    """A structurally valid NIK (Medan, born 1965-1997): unique per serial within a run, and across runs
    by the run's own block of NIK serial numbers (5000-8999; the scenario's serials stay small).
    A NIK registered by an earlier run would be answered "already registered" (302 too) and look lost.
    """
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=serial % 12_000)
    return f"127101{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}{block + serial // 12_000:04d}"


class Load:
    def __init__(self, port: int, tokens: list[str], run: str, keplings: list[str]) -> None:
        self.port, self.tokens, self.run, self.usernames = port, tokens, run, keplings
        self.block = 5000 + int(run, 16) % 4000
        self.results = Results()
        self.serial = iter(range(1, 10**7))
        self.serial_lock = threading.Lock()
        self.keplings = [Session(port) for _ in keplings]
        self.officials: dict[str, Session] = {}

    def sign_in_everyone(self) -> None:
        for session, username in zip(self.keplings, self.usernames, strict=True):
            session.sign_in(username)
        for username in ("admin", "camat", "lurah"):
            self.officials[username] = Session(self.port)
            self.officials[username].sign_in(username)

    def timed(self, kind: str, call: object) -> tuple[int, str]:
        started = time.monotonic()
        try:
            status, text = call()  # type: ignore[operator]
        except (OSError, http.client.HTTPException) as exc:
            self.results.errors[f"{kind}: {type(exc).__name__}"] += 1
            self.results.record(kind, 0, time.monotonic() - started)
            return 0, ""
        self.results.record(kind, status, time.monotonic() - started)
        return status, text

    def registration(self, n: int) -> None:
        session = self.keplings[n % len(self.keplings)]
        with self.serial_lock:
            serial = next(self.serial)
        token = session.csrf("/pekerja/daftar/")
        name = f"Uji Beban {self.run} {serial}"
        nik = nik_for(serial, self.block)
        birth = f"19{nik[10:12]}-{nik[8:10]}-{nik[6:8]}"
        form = {
            "csrfmiddlewaretoken": token, "nik": nik, "nama": name, "jenis_kelamin": "L", "tanggal_lahir": birth,
            "no_hp": f"0812{serial:08d}", "pekerjaan": "Pengemudi ojek", "sektor": "transportasi",
            "penghasilan": "1.500.000", "program": "JKK-JKM", "sumber_iuran": "mandiri",
            "tanggal_daftar": datetime.date.today().isoformat(), "consent": "on",
        }
        status, _ = self.timed("registration", lambda: session.request("POST", "/pekerja/daftar/", form))
        with self.results.lock:
            (self.results.acknowledged if status == 302 else self.results.refused).append(name)

    def kepling_home(self, n: int) -> None:
        session = self.keplings[n % len(self.keplings)]
        self.timed("kepling_home", lambda: session.request("GET", "/pekerja/beranda/"))

    def dashboard(self, n: int) -> None:
        username, path = DASHBOARD_PAGES[n % len(DASHBOARD_PAGES)]
        self.timed("dashboard", lambda: self.officials[username].request("GET", path))

    def api(self, n: int) -> None:
        path = API_PATHS[n % len(API_PATHS)] + f"?as_of={AS_OF}"
        headers = {"Authorization": f"Bearer {self.tokens[n % len(self.tokens)]}"}

        def call() -> tuple[int, str]:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                return response.status, response.read().decode()
            finally:
                connection.close()

        self.timed("api", call)

    def drive(self, rates: dict[str, float], duration: float) -> None:
        """Send each kind at its rate for `duration` seconds (open loop), then wait for the stragglers."""
        kinds = {"registration": self.registration, "kepling_home": self.kepling_home, "dashboard": self.dashboard,
                 "api": self.api}
        schedule = sorted(
            (i / rate, kind, i) for kind, rate in rates.items() for i in range(int(duration * rate))
        )
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=48) as pool:
            for offset, kind, i in schedule:
                delay = started + offset - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(self._safe, kinds[kind], kind, i)

    def _safe(self, action: object, kind: str, i: int) -> None:
        try:
            action(i)  # type: ignore[operator]
        except Exception as exc:  # a failed CSRF fetch: counted, the run goes on
            self.results.errors[f"{kind}: {exc}"[:120]] += 1


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))] if ordered else 0.0


def database_check(env: dict[str, str], run: str, results: Results) -> dict[str, object]:
    """How many times each registration is stored, read through the product's own command line."""
    script = (
        "import json; from kepling.workers.models import Worker; "
        f"rows = Worker.objects.filter(nama__startswith='Uji Beban {run} '); "
        "print(json.dumps(list(rows.values_list('nama', flat=True))))"
    )
    done = subprocess.run([*KEPLING, "shell", "-c", script], env=env, capture_output=True, text=True, check=True)
    stored = Counter(json.loads(done.stdout.strip().splitlines()[-1]))
    acknowledged = set(results.acknowledged)
    return {
        "acknowledged": len(acknowledged),
        "refused": len(results.refused),
        "stored": sum(stored.values()),
        "lost": len(acknowledged - set(stored)),
        "duplicated": sum(1 for count in stored.values() if count > 1),
        "stored_though_refused": len(set(results.refused) & set(stored)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--factor", type=float, help="multiple of the peak (default: 2 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load (at most 900)")
    parser.add_argument("--reuse", action="store_true", help="the scenario is already built (with the bench's keys)")
    parser.add_argument("--prepare-only", action="store_true", help="build the scenario, then stop")
    parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "4"))
    parser.add_argument("--threads", default=os.environ.get("WEB_THREADS", "4"))
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'load.sqlite3'}")
    factor = args.factor or (2.0 if url.startswith("postgres") else 1.0)
    duration = min(args.duration, 900.0)
    var = ROOT / "var" / "bench" / "load"
    var.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": url, "KEPLING_VAR_DIR": str(var)}
    if not args.reuse:
        subprocess.run([*KEPLING, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*KEPLING, "demo", "--yes"], env=env, check=True, cwd=ROOT)
    if args.prepare_only:
        return 0
    keplings = kepling_usernames(env)
    tokens = []
    for n in range(4):
        name = f"bench-load-{secrets.token_hex(3)}-{n}"
        done = subprocess.run([*KEPLING, "create_api_token", "admin", "--name", name],
                              env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        tokens.append(done.stdout.strip().split()[-1])
    port = free_port()
    server_env = {**env, "WEB_CONCURRENCY": str(args.workers), "WEB_THREADS": str(args.threads)}
    log = (var / "serve.log").open("w")
    server = subprocess.Popen([*KEPLING, "serve", "--bind", f"127.0.0.1:{port}"], env=server_env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(port)
        run = secrets.token_hex(3)
        load = Load(port, tokens, run, keplings)
        load.sign_in_everyone()
        rates = {kind: rate * factor for kind, rate in PEAK_RATES.items()}
        started = time.monotonic()
        load.drive(rates, duration)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    results = load.results
    report: dict[str, object] = {
        "database": url.split("://")[0], "factor": factor, "duration_s": round(elapsed, 1),
        "server": {"workers": int(args.workers), "threads": int(args.threads)},
        "rates_per_s": {k: round(v, 2) for k, v in rates.items()},
    }
    for kind, samples in sorted(results.latencies.items()):
        report[kind] = {
            "requests": len(samples),
            "statuses": {str(k): v for k, v in sorted(results.statuses[kind].items())},
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(percentile(samples, 0.95), 1),
            "max_ms": round(max(samples), 1),
        }
    report["errors"] = dict(results.errors)
    report["registrations"] = check = database_check(env, run, results)
    fives = sum(n for counter in results.statuses.values() for status, n in counter.items() if status >= 500)
    report["responses_5xx"] = fives
    print(json.dumps(report, indent=2))
    return 1 if fives or check["lost"] or check["duplicated"] or check["stored_though_refused"] else 0


def kepling_usernames(env: dict[str, str], count: int = 24) -> list[str]:
    """Kepling accounts of the scenario, spread over the city."""
    script = (
        "import json; from kepling.accounts.models import User; "
        "names = list(User.objects.filter(role='kepling', is_active=True).order_by('username')"
        ".values_list('username', flat=True)); "
        f"print(json.dumps(names[:: max(1, len(names) // {count})][:{count}]))"
    )
    done = subprocess.run([*KEPLING, "shell", "-c", script], env=env, capture_output=True, text=True, check=True)
    names: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return names


def wait_for(port: int, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("kepling serve did not answer /healthz")


if __name__ == "__main__":
    sys.exit(main())
