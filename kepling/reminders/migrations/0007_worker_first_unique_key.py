"""The outbox's unique key leads with the worker, and the (worker, queued_on) index goes.

The one key now both keeps a reminder unique per worker, month and rule and finds a worker's
reminders, so each queued row is written into two indexes instead of three.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0003_seed_level_names'),
        ('reminders', '0006_outbox_partitioned_by_month'),
        ('workers', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='outboxmessage',
            name='one_reminder_per_month_rule_worker',
        ),
        migrations.RemoveIndex(
            model_name='outboxmessage',
            name='reminders_o_worker__3a2e51_idx',
        ),
        migrations.AddConstraint(
            model_name='outboxmessage',
            constraint=models.UniqueConstraint(fields=('worker', 'periode', 'rule'), name='one_reminder_per_month_rule_worker'),
        ),
    ]
