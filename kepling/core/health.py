"""`/healthz`: what a monitor needs to know, as JSON, and nothing about any person.

200 when the database answers and the task queue keeps up; 503 otherwise. The ages of the
latest BPJS extract and of the last reminders run are reported (a monitor alerts on them)
but do not fail the check: a new site has neither, and the web still works without them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kepling.core.models import AuditLog

EXTRACT_ACTIONS = ("payments_imported", "participants_imported")
REMINDERS_RUN_ACTION = "reminders_queued"


def _age(at: datetime.datetime | None, now: datetime.datetime) -> dict[str, Any]:
    if at is None:
        return {"at": None, "age_hours": None}
    return {"at": at.isoformat(), "age_hours": round((now - at).total_seconds() / 3600, 1)}


def _queue_lag(now: datetime.datetime) -> dict[str, Any]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    lag = (now - oldest).total_seconds() if oldest else 0.0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
    return {"ready": ready.count(), "running": running, "lag_seconds": round(lag, 1)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The site's health as JSON: 200 when it can serve and keep up, 503 when it cannot."""
    now = timezone.now()
    body: dict[str, Any] = {"time": now.isoformat()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"ok": True, "vendor": connection.vendor}
        body["task_queue"] = _queue_lag(now)
        last = AuditLog.objects.filter(action__in=EXTRACT_ACTIONS).aggregate(at=Max("at"))["at"]
        body["latest_bpjs_extract"] = _age(last, now)
        last = AuditLog.objects.filter(action=REMINDERS_RUN_ACTION).aggregate(at=Max("at"))["at"]
        body["last_reminders_run"] = _age(last, now)
    except DatabaseError:
        body["database"] = {"ok": False, "vendor": connection.vendor}
        body["status"] = "fail"
        return JsonResponse(body, status=503)
    lagging = body["task_queue"]["lag_seconds"] > settings.HEALTHZ_MAX_QUEUE_LAG_SECONDS
    body["status"] = "fail" if lagging else "ok"
    return JsonResponse(body, status=503 if lagging else 200)
