"""The REST API under /api/v1/: one NinjaAPI, its routers, auth, throttling and error shape."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from kepling.api import imports, reconciliation, tokens, wilayah, workers
from kepling.api.auth import BearerToken, TokenRateThrottle
from kepling.api.docs import LocalSwagger
from kepling.api.errors import install_error_handlers

DESCRIPTION = """\
The Empowering Kepling information system: wilayah, workers, payments and reconciliation.

Authenticate with a personal API token (`Authorization: Bearer <key>`) or a signed-in
session. Every endpoint applies the same area scoping as the web pages. Errors have one
shape: `{"error": {"code", "message", "details"}}`, with messages in Indonesian.
"""

api = NinjaAPI(
    title="Kepling API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerToken(), django_auth],
    throttle=[TokenRateThrottle()],
    docs=LocalSwagger(),
)
install_error_handlers(api)
api.add_router("/wilayah", wilayah.router)
api.add_router("/workers", workers.router)
api.add_router("/imports", imports.router)
api.add_router("/reconciliation", reconciliation.router)
api.add_router("/tokens", tokens.router)
