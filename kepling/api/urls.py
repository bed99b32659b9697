"""The API's routes; ninja names them in its own `api` namespace (e.g. `api:openapi-json`)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from kepling.api.docs import docs_asset
from kepling.api.errors import error_body
from kepling.api.main import api


@csrf_exempt
def no_such_endpoint(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/v1/ (or a malformed id) answers in the error shape too."""
    return JsonResponse(error_body("not_found", _("Not found, or not in your area.")), status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", api.urls),
    re_path(r"^[\s\S]*$", no_such_endpoint),
]


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refuses before routing (a forged Host header): JSON under /api/, the plain page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("bad_request", _("The request is malformed.")), status=400)
    return defaults.bad_request(request, exception or Exception())
