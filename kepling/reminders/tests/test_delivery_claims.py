"""Delivery claims each message before sending it: concurrent deliveries and gateway outages send once."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kepling.reminders.models import MessageStatus, OutboxMessage
from kepling.reminders.tasks import deliver_outbox
from kepling.reminders.tests.helpers import send
from kepling.testing import City, make_worker

postgres_only = pytest.mark.postgres(reason="row locks with SKIP LOCKED are PostgreSQL's")
# Two deliveries at once need two connections, which see only committed rows.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class CountingGateway:
    """A gateway on 127.0.0.1 that counts every post and every accepted message per idempotency key."""

    def __init__(self) -> None:
        self.posts: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.down = False
        self.lock = threading.Lock()


@pytest.fixture
def gateway(settings: Any) -> Iterator[CountingGateway]:
    state = CountingGateway()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            key = self.headers.get("Idempotency-Key", "")
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(0.005)  # a real gateway takes a while: deliveries overlap
            with state.lock:
                state.posts[key] += 1
                down = state.down
                if not down:
                    state.accepted[key] += 1
            code, body = (503, b'{"error": "down"}') if down else (200, json.dumps({"id": key}).encode())
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.KEPLING_REMINDER_BACKEND = "kepling.reminders.backends.HttpGatewayBackend"
    settings.KEPLING_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.KEPLING_GATEWAY_BACKOFF_SECONDS = 0  # a failed message is due again at once
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _deliver_command() -> dict[str, Any]:
    out = io.StringIO()
    call_command("deliver_reminders", "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def _keys() -> set[str]:
    return {f"kepling-outbox-{pk}" for pk in OutboxMessage.objects.values_list("pk", flat=True)}


@postgres_only
@committed
def test_two_deliveries_at_once_post_each_message_once(
    city: City, gateway: CountingGateway, new_partitions_dropped: None
) -> None:
    for n in range(40):
        make_worker(city.lingkungan[n % len(city.lingkungan)])
    queued = send("2025-11-14")
    assert queued["queued"] == 40 and queued["delivery_tasks"] == 1
    ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    start = threading.Barrier(3)
    results: dict[str, Any] = {}

    def run(name: str, deliver: Any) -> None:
        try:
            start.wait()
            results[name] = deliver()
        finally:
            connection.close()

    # What the documented schedule runs: the timer's command and the task worker's batch, at once.
    threads = [
        threading.Thread(target=run, args=("command", _deliver_command)),
        threading.Thread(target=run, args=("task", lambda: deliver_outbox.call(ids))),
        threading.Thread(target=run, args=("second command", _deliver_command)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert set(gateway.posts) == _keys()
    assert set(gateway.posts.values()) == {1}  # each message posted once, by one of the three
    sent = sum(r.get("sent", 0) for r in results.values())
    assert sent == 40 and len(results) == 3
    assert sum(bool(r.get("sent")) for r in results.values()) >= 2  # the work was in fact shared
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 40


def test_a_gateway_down_for_a_while_then_back_delivers_everything_once(city: City, gateway: CountingGateway) -> None:
    for n in range(6):
        make_worker(city.lingkungan[n % len(city.lingkungan)])
    send("2025-11-14")
    gateway.down = True
    for _ in range(3):
        assert _deliver_command() == {"channel": "http_gateway", "retry": 6}  # each message tried once per run
    assert not gateway.accepted
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.QUEUED}

    gateway.down = False
    assert _deliver_command() == {"channel": "http_gateway", "sent": 6}
    assert _deliver_command() == {"channel": "http_gateway"}  # nothing left to send
    assert set(gateway.accepted) == _keys()
    assert set(gateway.accepted.values()) == {1}
    assert set(gateway.posts.values()) == {4}
    for message in OutboxMessage.objects.all():
        assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 4, "")


def test_the_admin_kota_sees_failed_messages_and_sends_them_again_once(
    city: City, gateway: CountingGateway, settings: Any, client: Any, admin_kota: Any, lurah: Any
) -> None:
    from kepling.core.models import AuditLog

    settings.KEPLING_REMINDER_EXPIRY_HOURS = 0  # the outage outlasts every message
    workers = [make_worker(city.lingkungan[0], nama=f"Pekerja {n}") for n in range(3)]
    send("2025-11-14")
    gateway.down = True
    assert _deliver_command() == {"channel": "http_gateway", "failed": 3}

    client.force_login(lurah)
    assert client.get("/pengingat/gagal/").status_code == 403
    client.force_login(admin_kota)
    page = client.get("/pengingat/gagal/").content.decode()
    assert all(worker.nama in page for worker in workers)
    assert "expired after" not in page and "HTTP 503" not in page  # reasons in words, not the gateway's errors

    gateway.down = False
    settings.KEPLING_REMINDER_EXPIRY_HOURS = 48
    chosen = OutboxMessage.objects.get(worker=workers[0]).pk
    assert client.post("/pengingat/gagal/", {"message": [str(chosen)]}).status_code == 302
    assert _deliver_command() == {"channel": "http_gateway", "sent": 1}
    client.post("/pengingat/gagal/", {"all": "1"})
    assert _deliver_command() == {"channel": "http_gateway", "sent": 2}
    assert set(gateway.accepted) == _keys() and set(gateway.accepted.values()) == {1}
    resent = AuditLog.objects.filter(action="reminders_resent", actor=admin_kota)
    assert sorted(row.new_values["messages"] for row in resent) == [1, 2]
    assert "Pekerja 0" not in client.get("/pengingat/gagal/").content.decode()
