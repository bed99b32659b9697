"""Emptying the database of scenario data while keeping the rule tables the migrations seeded."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

# Reference data written by migrations: tariffs, income bands and level names stay.
KEEP = {
    "contributions.contributionrate",
    "contributions.contributiondiscount",
    "contributions.incomeband",
    "reminders.reminderrule",
    "reminders.paymentchannel",
    "regions.levelname",
}
WIPED_APPS = {
    "core",
    "accounts",
    "regions",
    "workers",
    "contributions",
    "imports",
    "reconciliation",
    "reminders",
    "dashboards",
    "api",
    "axes",
    "sessions",
    "django_tasks_db",
    "admin",
}


@transaction.atomic
def wipe_scenario_data() -> None:
    """Delete every row of the product's own tables except the seeded rule tables."""
    tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in WIPED_APPS
        and model._meta.label_lower not in KEEP
        and not model._meta.proxy
        and model._meta.managed
    ]
    # Foreign keys are checked at commit (deferred on PostgreSQL; SQLite checks at the end of
    # the transaction), so the order of the deletes does not matter.
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in (t for t in tables if t in existing):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
