"""Helpers the endpoints share: error responses in the schema, paging, dates and audited views."""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone

from kepling.accounts.models import User
from kepling.api.errors import ApiError
from kepling.api.schemas import ErrorOut
from kepling.contributions.as_of import InvalidAsOfError, check_as_of
from kepling.core import audit

M = TypeVar("M", bound=Model)

# Every operation may answer with the error shape for these statuses.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def page(queryset: QuerySet[M], limit: int, offset: int) -> tuple[int, list[M]]:
    """The total count and one page of a queryset."""
    return queryset.count(), list(queryset[offset : offset + limit])


def resolve_as_of(value: datetime.date | None) -> datetime.date:
    """The date figures are computed for: today when not given; within the span figures exist for."""
    if value is None:
        return timezone.localdate()
    try:
        return check_as_of(value).date
    except InvalidAsOfError as error:
        raise ApiError(422, "validation_error", error.message, [{"field": "as_of", "message": error.message}]) from None


def audit_view(user: User, object_type: str, object_id: object = "", **details: Any) -> None:
    """Record that the user read personal data through the API ("who saw what, when")."""
    ids = details.get("ids", []) if object_type == "worker" else []
    audit.record(
        actor=user, action="api_view", object_type=object_type, object_id=object_id, new=details or None, workers=ids
    )


