"""A user signed in with a one-time password must set their own before anything else."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

# Pages a user with a one-time password may still reach: the change itself, signing out,
# signing in as someone else, and the static files those pages need.
ALLOWED_URL_NAMES = ("password_change", "logout", "login")


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._allowed(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "password_change_required", "details": [],
                               "message": gettext("Change your one-time password before using the API.")}},
                    status=403,
                )
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        static_prefix = "/" + str(settings.STATIC_URL or "/static/").lstrip("/")
        if path.startswith(static_prefix):
            return True
        return path in {reverse(name) for name in ALLOWED_URL_NAMES}
