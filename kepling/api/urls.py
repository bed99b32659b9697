"""The API's routes; ninja names them in its own `api` namespace (e.g. `api:openapi-json`)."""

from django.urls import URLPattern, URLResolver, path

from kepling.api.docs import docs_asset
from kepling.api.main import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", api.urls),
]
