"""The program's five reminder rules; the messages are written in Bahasa Indonesia (data, editable)."""

from django.db import migrations

from kepling.reminders.defaults import DEFAULT_RULES as RULES


def seed(apps, schema_editor):
    Rule = apps.get_model("reminders", "ReminderRule")
    for rule in RULES:
        Rule.objects.update_or_create(code=rule["code"], defaults=rule)


def unseed(apps, schema_editor):
    apps.get_model("reminders", "ReminderRule").objects.filter(code__in=[r["code"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_outbox_rules_outcomes")]
    operations = [migrations.RunPython(seed, unseed)]
