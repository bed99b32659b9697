"""Logs an operator can search: one JSON object per line, each with the id of the request it belongs to.

The request id comes from the reverse proxy's `X-Request-ID` header when it sends a sane one
(so the proxy's access log and Kepling's lines match), else a new one; it is sent back in the
response's `X-Request-ID`. Logged paths carry no query string (it may hold a NIK or a name).
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
requests_log = logging.getLogger("kepling.requests")
# The attributes every LogRecord has; anything else was passed in `extra` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request's id ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestIdMiddleware:
    """Give each request an id, log one line when it is answered, and send the id back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if SANE_ID.match(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            requests_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def start_error_tracking(dsn: str, *, environment: str) -> None:
    """Send unhandled errors to Sentry (or a compatible service) when sentry-sdk is installed."""
    try:
        import sentry_sdk  # type: ignore[import-not-found,unused-ignore]
        from sentry_sdk.integrations.django import DjangoIntegration  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: run `uv pip install sentry-sdk` or unset SENTRY_DSN."
        ) from None
    # No personal data leaves the server: no user, no request body, no local variables.
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
    )
