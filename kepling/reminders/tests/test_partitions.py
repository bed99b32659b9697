"""On PostgreSQL the outbox is partitioned by month; a queueing run creates the month it needs."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from kepling.reminders.models import ContactOutcome, OutboxMessage, ReminderRule
from kepling.reminders.partitions import ensure_month_partition, partition_name
from kepling.reminders.tests.helpers import send
from kepling.testing import make_worker

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres(reason="the outbox is partitioned on PostgreSQL only"),
]

NOVEMBER = datetime.date(2025, 11, 1)


def _holder(message_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM reminders_outboxmessage WHERE id = %s", [message_id])
        return str(cursor.fetchone()[0])


def test_a_run_creates_its_month_and_takes_over_rows_written_before(city, kepling_user):
    early = make_worker(city.lingkungan[0])
    later = make_worker(city.lingkungan[0])
    rule = ReminderRule.objects.get(code="h-3")
    # Written through the ORM before the month has a partition: it waits in the default one.
    kept = OutboxMessage.objects.create(
        worker=early,
        rule=rule,
        periode=NOVEMBER,
        jumlah=16_800,
        channel="whatsapp_kepling",
        queued_on=datetime.date(2025, 11, 13),
        kelurahan_id=early.kelurahan_id,
        lingkungan_id=early.lingkungan_id,
    )
    outcome = ContactOutcome.objects.create(
        worker=early, by=kepling_user, outcome="reached", message=kept, kelurahan_id=early.kelurahan_id
    )
    assert _holder(kept.pk) == "reminders_outboxmessage_default"

    result = send("2025-11-14")

    assert (result["queued"], result["already_queued"]) == (1, 1)  # the row kept counts as queued
    assert _holder(kept.pk) == partition_name(NOVEMBER)
    assert OutboxMessage.objects.get(pk=kept.pk).outcomes.get() == outcome
    new = OutboxMessage.objects.get(worker=later)
    assert new.pk > kept.pk and _holder(new.pk) == partition_name(NOVEMBER)
    assert send("2025-11-14")["queued"] == 0
    assert ensure_month_partition(NOVEMBER) is False  # already there


def test_a_dry_run_creates_no_partition(city):
    make_worker(city.lingkungan[0])
    assert send("2025-11-14", "--dry-run")["queued"] == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [partition_name(NOVEMBER)])
        assert cursor.fetchone()[0] is None


def test_a_month_s_rows_are_keyed_by_worker_month_and_rule_and_found_by_id(city):
    worker = make_worker(city.lingkungan[0])
    ensure_month_partition(NOVEMBER)
    rule = ReminderRule.objects.get(code="h-3")
    with connection.cursor() as cursor:
        # Enough earlier rows (of workers long gone) to fill several BRIN page ranges.
        cursor.execute(
            "INSERT INTO reminders_outboxmessage (worker_id, rule_id, periode, jumlah, channel, \"to\", body, status,"
            " attempts, last_error, queued_on, provider_reference, kelurahan_id, lingkungan_id, created_at)"
            " SELECT -g, %s, %s, 0, 'x', '', repeat('x', 200), 'sent', 1, '', %s, '', 1, 1, now()"
            " FROM generate_series(1, 2000) g",
            [rule.pk, NOVEMBER, datetime.date(2025, 11, 13)],
        )
    send("2025-11-14")
    message = OutboxMessage.objects.get(worker=worker)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.amname, i.indisprimary, i.indexrelid, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
            " WHERE i.indrelid = to_regclass(%s)",
            [partition_name(NOVEMBER)],
        )
        indexes = cursor.fetchall()
        primary = [definition for _am, is_primary, _oid, definition in indexes if is_primary]
        (brin,) = [oid for am, _primary, oid, _definition in indexes if am == "brin"]
        # the run summarised the pages it wrote, so a look-up by id reads only a few of them
        cursor.execute("SELECT brin_summarize_new_values(%s)", [brin])
        assert cursor.fetchone()[0] == 0
    assert [definition.split(" USING ")[1] for definition in primary] == ["btree (worker_id, periode, rule_id)"]
    assert OutboxMessage.objects.get(pk=message.pk) == message
    duplicate = OutboxMessage(
        worker=worker, rule=message.rule, periode=NOVEMBER, jumlah=1, channel="x", queued_on=message.queued_on,
        kelurahan_id=worker.kelurahan_id, lingkungan_id=worker.lingkungan_id,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
