"""Delivery backends: a local fake gateway that fails some requests, console and file backends."""

from __future__ import annotations

import datetime
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from kepling.reminders.backends import ConsoleBackend, FileBackend, KeplingWhatsAppBackend
from kepling.reminders.models import MessageStatus, OutboxMessage
from kepling.reminders.tasks import deliver_messages, deliver_outbox, enqueue_delivery
from kepling.reminders.tests.helpers import send
from kepling.testing import make_worker

pytestmark = pytest.mark.django_db


class FakeGateway:
    """Records every request; fails the first attempt of each message, loses one answer, rejects '+620'."""

    def __init__(self) -> None:
        self.requests: list[dict[str, object]] = []
        self.accepted: list[str] = []  # idempotency keys of messages taken for sending
        self.lock = threading.Lock()
        self.lose_answer_for: set[str] = set()


@pytest.fixture
def gateway() -> Iterator[tuple[FakeGateway, str]]:
    state = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            key = self.headers.get("Idempotency-Key", "")
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                seen_before = any(r["key"] == key for r in state.requests)
                state.requests.append({"key": key, "auth": self.headers.get("Authorization"), "payload": payload})
                if payload["to"] == "+620":
                    return self._answer(400, {"error": "invalid number"})
                if not seen_before:
                    if key in state.lose_answer_for:
                        state.accepted.append(key)  # taken, but the answer never arrives
                    return self._answer(500, {"error": "try again"})
                if key not in state.accepted:
                    state.accepted.append(key)
            self._answer(200, {"id": f"gw-{key}", "status": "sent"})

        def _answer(self, code: int, body: dict[str, str]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/send"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_backend(settings, gateway):
    state, url = gateway
    settings.KEPLING_REMINDER_BACKEND = "kepling.reminders.backends.HttpGatewayBackend"
    settings.KEPLING_GATEWAY_URL = url
    settings.KEPLING_GATEWAY_TOKEN = "rahasia-uji"
    settings.KEPLING_GATEWAY_PAYLOAD = '{"to": "{to}", "text": "{body}", "meta": ["kepling"]}'
    settings.KEPLING_GATEWAY_BACKOFF_SECONDS = 0  # a failed message is due again at once
    return state


def test_gateway_retries_and_sends_each_message_once(city, http_backend):
    workers = [make_worker(city.lingkungan[0], nama=f"Pekerja \"{n}\"") for n in range(3)]
    bad = make_worker(city.lingkungan[1], no_hp="+620")
    result = send("2025-11-14")
    assert result["queued"] == 4 and result["channel"] == "http_gateway"
    assert result["delivery_tasks"] == 1
    ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    lost = OutboxMessage.objects.get(worker=workers[1])
    http_backend.lose_answer_for.add(f"kepling-outbox-{lost.pk}")

    assert deliver_outbox.call(ids) == {"retry": 3, "failed": 1}  # retried later, not slept on
    assert deliver_outbox.call(ids) == {"sent": 3}

    good_keys = [f"kepling-outbox-{m.pk}" for m in OutboxMessage.objects.exclude(worker=bad)]
    assert sorted(http_backend.accepted) == sorted(good_keys)  # each message sent exactly once
    assert len(http_backend.accepted) == len(set(http_backend.accepted))
    for message in OutboxMessage.objects.exclude(worker=bad):
        assert message.status == MessageStatus.SENT
        assert message.attempts == 2 and message.sent_at is not None
        assert message.provider_reference == f"gw-kepling-outbox-{message.pk}"
    failed = OutboxMessage.objects.get(worker=bad)
    assert (failed.status, failed.attempts, failed.last_error) == (MessageStatus.FAILED, 1, "HTTP 400")
    first = http_backend.requests[0]
    assert first["auth"] == "Bearer rahasia-uji"
    assert first["payload"]["meta"] == ["kepling"]
    assert first["payload"]["text"] == OutboxMessage.objects.get(pk=ids[0]).body  # quotes survive as JSON

    before = len(http_backend.requests)
    assert deliver_outbox.call(ids) == {}  # nothing queued any more: running again sends nothing
    assert len(http_backend.requests) == before


def test_a_message_goes_to_the_worker_s_number_when_it_is_sent(city, http_backend):
    worker = make_worker(city.lingkungan[0], no_hp="+6281111111111")
    send("2025-11-14")
    worker.no_hp = "+6282222222222"  # the worker changed number after the reminder was queued
    worker.save()
    message = OutboxMessage.objects.get()
    assert message.to == ""
    assert deliver_messages([message.pk]) == {"retry": 1}  # the gateway fails every first attempt
    assert deliver_messages([message.pk]) == {"sent": 1}
    assert {r["payload"]["to"] for r in http_backend.requests} == {"+6282222222222"}
    message.refresh_from_db()
    assert message.to == "+6282222222222"  # kept as the number it went to


def test_an_unreachable_gateway_schedules_retries_until_the_message_expires(city, settings):
    settings.KEPLING_REMINDER_BACKEND = "kepling.reminders.backends.HttpGatewayBackend"
    settings.KEPLING_GATEWAY_URL = "http://127.0.0.1:9/unreachable"
    settings.KEPLING_GATEWAY_BACKOFF_SECONDS = 60
    make_worker(city.lingkungan[0])
    send("2025-11-14")
    message = OutboxMessage.objects.get()
    before = timezone.now()
    assert deliver_messages([message.pk]) == {"retry": 1}
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.attempts == 1 and message.last_error
    assert message.next_attempt_at is not None
    assert message.next_attempt_at >= before + datetime.timedelta(seconds=60)
    assert deliver_messages([message.pk]) == {}  # not due yet: nothing is tried, nothing waits

    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=None, expires_at=timezone.now() + datetime.timedelta(seconds=30)
    )
    assert deliver_messages([message.pk]) == {"failed": 1}  # the next attempt would come after the expiry
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 2
    assert message.last_error.startswith("expired after 2 attempts")


def test_deliver_reminders_command_runs_delivery_now(city, settings, http_backend):
    make_worker(city.lingkungan[0])
    send("2025-11-14")
    out = io.StringIO()
    call_command("deliver_reminders", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"channel": "http_gateway", "retry": 1}  # each message once per run
    out = io.StringIO()
    call_command("deliver_reminders", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"channel": "http_gateway", "sent": 1}
    assert OutboxMessage.objects.get().status == MessageStatus.SENT


def test_console_and_file_backends(city, settings, tmp_path):
    make_worker(city.lingkungan[0], nama="Rina")
    send("2025-11-14")
    message = OutboxMessage.objects.get()
    stream = io.StringIO()
    assert ConsoleBackend(stream).send(message).status == MessageStatus.SENT
    assert "Rina" in stream.getvalue()
    folder = tmp_path / "reminders"
    settings.KEPLING_REMINDER_FILE_DIR = str(folder)
    assert FileBackend().send(message).status == MessageStatus.SENT
    assert FileBackend().send(message).status == MessageStatus.SENT
    [written] = folder.glob("outbox-*.jsonl")
    assert [json.loads(line)["id"] for line in written.read_text().splitlines()] == [message.pk, message.pk]
    # The lines hold phone numbers: readable by the service's own user only.
    assert folder.stat().st_mode & 0o777 == 0o700
    assert written.stat().st_mode & 0o777 == 0o600


def test_kepling_whatsapp_backend_leaves_messages_for_the_kepling(city):
    make_worker(city.lingkungan[0])
    result = send("2025-11-14")
    assert result["channel"] == KeplingWhatsAppBackend.channel and result["delivery_tasks"] == 0
    assert enqueue_delivery() == 0
    out = io.StringIO()
    call_command("deliver_reminders", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"channel": "whatsapp_kepling", "waiting_for_kepling": 1}
    assert OutboxMessage.objects.get().status == MessageStatus.QUEUED
