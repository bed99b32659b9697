"""One JSON error shape for every failure: {"error": {"code", "message", "details"}}.

Messages are English msgids translated through gettext, so clients get Indonesian by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from kepling.core.tabular import UnusableFileError
from kepling.workers.validation import InvalidWorkerDataError, Problem

if TYPE_CHECKING:
    from ninja import NinjaAPI

# Where a request value came from, as ninja reports it at the start of an error location.
PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


class ApiError(Exception):
    """Raised by endpoints for a failure with its own code and already translated message."""

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The error shape."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def problem_details(problems: list[Problem]) -> list[dict[str, Any]]:
    """(column, message) pairs from the registry checks as error details."""
    return [{"field": column, "message": message} for column, message in problems]


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """The client's name for the value an error is about (without ninja's source and parameter)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in PARAM_SOURCES:
        source = parts.pop(0)
        # Bodies and forms are wrapped in the endpoint's parameter name; queries are not.
        if source in {"body", "form"} and len(parts) > 1:
            parts.pop(0)
    return ".".join(parts)


def validation_message(error: dict[str, Any]) -> str:
    """An Indonesian message for one pydantic error."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        limit = next(iter(ctx.values()), "")
        return _("The value is out of range (limit: %(limit)s).") % {"limit": limit}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")}
    exact = {
        "missing": _("This field is required."),
        "extra_forbidden": _("This field is not accepted here."),
        "string_too_long": _("The text has the wrong length."),
        "string_too_short": _("The text has the wrong length."),
        "area_code": _("Give an area code such as 12.71.01.1001.03."),
    }
    if kind in exact:
        return exact[kind]
    if kind.startswith(("date", "datetime")):
        return _("Write the date as YYYY-MM-DD.")
    if kind.startswith(("int", "bool", "float", "string")):
        return _("This value has the wrong type or format.")
    return _("This value is not valid.")


def _respond(api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's error responses with the error shape."""

    @api.exception_handler(ValidationError)
    def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [{"field": field_name(e.get("loc", ())), "message": validation_message(e)} for e in exc.errors]
        return _respond(api, request, 422, error_body("validation_error", _("The request is not valid."), details))

    @api.exception_handler(InvalidWorkerDataError)
    def invalid_worker(request: HttpRequest, exc: InvalidWorkerDataError) -> HttpResponse:
        details = problem_details(exc.errors)
        return _respond(api, request, 422, error_body("invalid_data", _("The worker's data is not valid."), details))

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _("Sign in or send a valid API token (Authorization: Bearer <key>).")
        response = _respond(api, request, 401, error_body("not_authenticated", message))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(AuthorizationError)
    def not_authorised(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return _respond(api, request, 403, error_body("forbidden", _("Your role may not do this.")))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _respond(api, request, 403, error_body("forbidden", _("Your role may not do this.")))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _respond(api, request, 404, error_body("not_found", _("Not found, or not in your area.")))

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        message = _("Too many requests with this token; wait a moment and try again.")
        return _respond(api, request, 429, error_body("throttled", message))

    @api.exception_handler(UnusableFileError)
    def unusable_file(request: HttpRequest, exc: UnusableFileError) -> HttpResponse:
        return _respond(api, request, 400, error_body("unusable_file", str(exc)))

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _respond(api, request, exc.status, error_body(exc.code, exc.message, exc.details))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            message = _("The request could not be read (malformed JSON or form data).")
            return _respond(api, request, 400, error_body("bad_request", message))
        return _respond(api, request, exc.status_code, error_body("error", _("The request failed.")))
