"""Requests refused before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kepling.core.errors import InvalidParameterError


class NulCharacterInRequestError(SuspiciousOperation):
    """A NUL character in the path or the query string."""


class RejectNulCharactersMiddleware:
    """Answer 400 to a request whose path or query string holds a NUL character.

    No page or API parameter can contain one, and PostgreSQL refuses it in any text value, so
    such a request would otherwise end as a server error deep in a query. Django turns the
    exception into its 400 response (the API's JSON error shape under /api/).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise NulCharacterInRequestError("NUL character in the request")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy and a Permissions-Policy on every response.

    Scripts and styles come only from the app's own static files (htmx included): no inline
    script, style or event handler, so an injected `<script>` or `onerror=` never runs. The API's
    interactive documentation (Swagger UI) sets inline styles from its own script; it alone gets
    `style-src 'unsafe-inline'`, never inline scripts. Forms post to the app itself, and the
    follow-up list's WhatsApp button (a form, so the send is recorded first) is then redirected
    to WhatsApp: `form-action` names that one destination too, as browsers apply it to redirects.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' https://wa.me"
    )
    DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    PERMISSIONS = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
        "payment=(), usb=(), interest-cohort=()"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        docs = request.path.startswith("/api/") and "docs" in request.path
        response.headers.setdefault("Content-Security-Policy", self.DOCS_POLICY if docs else self.POLICY)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS)
        return response


class InvalidParameterMiddleware:
    """A query parameter a page cannot use answers 400 with the reason, never a silent default or a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, InvalidParameterError):
            return None
        if request.path.startswith("/api/"):
            detail = {"field": exception.parameter, "message": exception.message}
            body = {"error": {"code": "validation_error", "message": exception.message, "details": [detail]}}
            return JsonResponse(body, status=422)
        return render(request, "400.html", {"message": exception.message}, status=400)
