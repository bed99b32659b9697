"""Delivery backends for reminder messages, chosen with the KEPLING_REMINDER_BACKEND setting.

- KeplingWhatsAppBackend (default): nothing is sent automatically; the Kepling sends each
  message from the follow-up list through a wa.me link, which marks it sent.
- ConsoleBackend / FileBackend: for development; print the messages or append them to a file.
- HttpGatewayBackend: posts each message to an SMS/WhatsApp gateway, once per attempt, with an
  idempotency key (the message id) so a retried or repeated delivery is never sent twice; a
  failed attempt is retried later on a schedule (kepling.reminders.tasks), never slept on.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from kepling.reminders.messages import text_of
from kepling.reminders.models import KEPLING_WHATSAPP, MessageStatus, OutboxMessage

DEFAULT_BACKEND = "kepling.reminders.backends.KeplingWhatsAppBackend"
DEFAULT_PAYLOAD = '{"to": "{to}", "message": "{body}"}'


@dataclass(frozen=True)
class Delivery:
    """The outcome of delivering one message."""

    status: MessageStatus
    attempts: int = 1
    error: str = ""
    reference: str = ""
    #: True when the failure may pass (connection error, 429, 5xx): the message is tried again later.
    retry: bool = False


class ReminderBackend:
    """Base class: `channel` names the backend on every message it queues."""

    channel = "base"
    #: False when a person sends the messages (the Kepling's WhatsApp), so nothing is dispatched.
    sends_itself = True

    def send(self, message: OutboxMessage) -> Delivery:
        raise NotImplementedError


class KeplingWhatsAppBackend(ReminderBackend):
    channel = KEPLING_WHATSAPP
    sends_itself = False

    def send(self, message: OutboxMessage) -> Delivery:
        return Delivery(MessageStatus.QUEUED, attempts=0)


class ConsoleBackend(ReminderBackend):
    channel = "console"

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: OutboxMessage) -> Delivery:
        self.stream.write(f"[{message.pk}] {message.to or '-'}: {text_of(message)}\n")
        self.stream.flush()
        return Delivery(MessageStatus.SENT)


class FileBackend(ReminderBackend):
    """Appends one JSON line per message to var/reminders/outbox-YYYY-MM-DD.jsonl."""

    channel = "file"

    def __init__(self, directory: Path | None = None) -> None:
        default = Path(getattr(settings, "VAR_DIR", "var")) / "reminders"
        self.directory = Path(getattr(settings, "KEPLING_REMINDER_FILE_DIR", directory or default))

    def send(self, message: OutboxMessage) -> Delivery:
        # The lines hold phone numbers: owner-only folder and files, deleted by `purge_files`.
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.directory.chmod(0o700)
        path = self.directory / f"outbox-{timezone.localdate().isoformat()}.jsonl"
        line = {"id": message.pk, "to": message.to, "body": text_of(message), "at": timezone.now().isoformat()}
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return Delivery(MessageStatus.SENT)


def _fill_payload(node: Any, values: dict[str, str]) -> Any:
    """Replace {to}/{body} inside the strings of a parsed JSON template (so values stay valid JSON)."""
    if isinstance(node, str):
        for key, value in values.items():
            node = node.replace("{" + key + "}", value)
        return node
    if isinstance(node, list):
        return [_fill_payload(v, values) for v in node]
    if isinstance(node, dict):
        return {k: _fill_payload(v, values) for k, v in node.items()}
    return node


class HttpGatewayBackend(ReminderBackend):
    """POSTs JSON to KEPLING_GATEWAY_URL with `Authorization: Bearer KEPLING_GATEWAY_TOKEN`.

    One attempt per call; every attempt carries `Idempotency-Key: kepling-outbox-<id>`. A 2xx
    answer is `sent` (or `delivered` when the gateway says so in a "status" field); connection
    errors, 429 and 5xx answers are worth retrying, other answers fail the message.
    """

    channel = "http_gateway"

    def __init__(self) -> None:
        self.url = str(getattr(settings, "KEPLING_GATEWAY_URL", ""))
        self.token = str(getattr(settings, "KEPLING_GATEWAY_TOKEN", ""))
        self.payload = str(getattr(settings, "KEPLING_GATEWAY_PAYLOAD", DEFAULT_PAYLOAD))
        self.timeout = float(getattr(settings, "KEPLING_GATEWAY_TIMEOUT_SECONDS", 10.0))

    def request_for(self, message: OutboxMessage) -> urllib.request.Request:
        body = json.dumps(_fill_payload(json.loads(self.payload), {"to": message.to, "body": text_of(message)}))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": f"kepling-outbox-{message.pk}",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")  # noqa: S310

    def send(self, message: OutboxMessage) -> Delivery:
        if not self.url.startswith(("http://", "https://")):
            return Delivery(MessageStatus.FAILED, attempts=0, error="KEPLING_GATEWAY_URL is not set")
        if not message.to:
            return Delivery(MessageStatus.FAILED, attempts=0, error="no phone number")
        try:
            with urllib.request.urlopen(self.request_for(message), timeout=self.timeout) as response:  # noqa: S310
                answer = _json_or_empty(response.read())
        except urllib.error.HTTPError as exc:
            passing = exc.code >= 500 or exc.code == 429
            return Delivery(MessageStatus.FAILED, error=f"HTTP {exc.code}", retry=passing)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return Delivery(MessageStatus.FAILED, error=str(getattr(exc, "reason", exc))[:500], retry=True)
        status = MessageStatus.DELIVERED if answer.get("status") == "delivered" else MessageStatus.SENT
        return Delivery(status, reference=str(answer.get("id", ""))[:120])


def _json_or_empty(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def get_backend() -> ReminderBackend:
    """The configured delivery backend."""
    path = str(getattr(settings, "KEPLING_REMINDER_BACKEND", DEFAULT_BACKEND))
    backend: ReminderBackend = import_string(path)()
    return backend
