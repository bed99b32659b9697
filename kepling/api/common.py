"""Helpers the endpoints share: error responses in the schema, paging, dates and audited views."""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.api.errors import ApiError
from kepling.api.schemas import ErrorOut
from kepling.core import audit

M = TypeVar("M", bound=Model)

# Every operation may answer with the error shape for these statuses.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
# Figures before the program started are of no use; the earliest accepted date leaves room
# for payments made for earlier months by workers who were already participants.
EARLIEST_AS_OF = datetime.date(2015, 1, 1)


def page(queryset: QuerySet[M], limit: int, offset: int) -> tuple[int, list[M]]:
    """The total count and one page of a queryset."""
    return queryset.count(), list(queryset[offset : offset + limit])


def resolve_as_of(value: datetime.date | None) -> datetime.date:
    """The date figures are computed for: today when not given; never in the future."""
    today = timezone.localdate()
    if value is None:
        return today
    if value > today or value < EARLIEST_AS_OF:
        message = _("as_of must be a date between %(start)s and today.") % {"start": EARLIEST_AS_OF.isoformat()}
        raise ApiError(422, "validation_error", message, [{"field": "as_of", "message": message}])
    return value


def audit_view(user: User, object_type: str, object_id: object = "", **details: Any) -> None:
    """Record that the user read personal data through the API ("who saw what, when")."""
    ids = details.get("ids", []) if object_type == "worker" else []
    audit.record(
        actor=user, action="api_view", object_type=object_type, object_id=object_id, new=details or None, workers=ids
    )


