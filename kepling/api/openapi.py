"""The committed OpenAPI document (docs/api/openapi.json) and how it is produced."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

COMMITTED_PATH = settings.BASE_DIR / "docs" / "api" / "openapi.json"
API_PREFIX = "/api/v1/"


def current_schema() -> dict[str, Any]:
    """The OpenAPI document of the API as the code defines it now."""
    from kepling.api.main import api

    return dict(api.get_openapi_schema(path_prefix=API_PREFIX))


def render(schema: dict[str, Any]) -> str:
    """The document as committed: stable key order, two-space indents, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
