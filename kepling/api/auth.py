"""Who is calling: a Bearer API token, else the signed-in session; and the per-token rate limit."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from kepling.accounts.models import User
from kepling.api.errors import ApiError
from kepling.api.models import ApiToken
from kepling.api.queries import authenticate_key

DEFAULT_RATE = "120/m"


class BearerToken(HttpBearer):
    """`Authorization: Bearer <key>` with an active token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = authenticate_key(token)
        if found is None:
            return None
        if found.user.must_change_password:
            # A token must not outlive the rule that a one-time password is replaced before any use.
            raise ApiError(403, "password_change_required", _("Change your one-time password before using the API."))
        request.user = found.user
        return found


def caller(request: HttpRequest) -> User:
    """The user behind the request (authentication has already run)."""
    user = request.user
    assert isinstance(user, User)
    return user


class TokenRateThrottle(SimpleRateThrottle):
    """At most KEPLING_API_RATE requests per token (per user for the session), read at each request."""

    scope = "kepling_api"

    def __init__(self) -> None:
        # The rate is read per request so a changed setting applies without a restart of the API.
        self.rate = None
        self.num_requests = self.duration = None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = str(getattr(settings, "KEPLING_API_RATE", DEFAULT_RATE))
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        auth = getattr(request, "auth", None)
        if isinstance(auth, ApiToken):
            ident = f"token-{auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
