"""Matching after every import: the queues are rebuilt once the import's transaction has committed."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from kepling.accounts.models import User
from kepling.contributions.as_of import latest_data_date
from kepling.reconciliation.matching import rebuild_queue

logger = logging.getLogger(__name__)


def reconcile_after_import(*, by: User | None) -> dict[str, int] | None:
    """Rebuild the queues as of the latest BPJS data; a failure is logged, never undoes the import.

    Called after an import committed (web and API uploads run in the task worker; the commands
    run it themselves). `rebuild_queue` is idempotent, so a run repeated after a crash is harmless.
    """
    try:
        return rebuild_queue(latest_data_date() or timezone.localdate(), by=by)
    except Exception:
        logger.exception("Reconciliation after an import failed; `kepling reconcile` rebuilds the queues")
        return None


@task()
def reconcile_task(by_id: int | None = None) -> dict[str, int] | None:
    """The same rebuild as a background task, for callers that should not wait for it."""
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return reconcile_after_import(by=by)
