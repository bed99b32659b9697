"""The follow-up list, outcomes, escalation lists and the effect of reminders, through HTTP."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from kepling.core.models import AuditLog
from kepling.regions.models import Wilayah
from kepling.reminders.messages import MessageTexts
from kepling.reminders.models import ContactOutcome, MessageStatus, OutboxMessage, ReminderRule
from kepling.reminders.queries import reminder_effect
from kepling.reminders.tests.helpers import d, pay, pay_months, send
from kepling.testing import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_workers(city):
    """As of 16 Oct 2025: one worker per lingkungan 0 and 1 with 1 month of arrears."""
    mine = make_worker(city.lingkungan[0], nama="Ahmad Mine")
    theirs = make_worker(city.lingkungan[1], nama="Bambang Theirs")
    for worker in (mine, theirs):
        pay_months(worker, ["2025-09"])
    return mine, theirs


def test_follow_up_list_shows_only_the_keplings_workers(client, kepling_user, late_workers):
    mine, _theirs = late_workers
    send("2025-10-16")
    client.force_login(kepling_user)
    page = client.get("/pengingat/?tanggal=2025-10-16")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ahmad Mine" in html and "Bambang Theirs" not in html
    assert "Rp16.800" in html
    assert f"/pengingat/pekerja/{mine.pk}/whatsapp/" in html


def test_due_soon_and_never_paid_are_listed_paid_ones_are_not(client, kepling_user, city):
    due = make_worker(city.lingkungan[0], nama="Due Soon")
    done = make_worker(city.lingkungan[0], nama="Paid Ahead")
    pay_months(due, ["2025-10"])
    pay_months(done, ["2025-10", "2025-11"])
    fresh = make_worker(city.lingkungan[0], nama="Never Paid")
    client.force_login(kepling_user)
    html = client.get("/pengingat/?tanggal=2025-11-12").content.decode()
    assert "Due Soon" in html and "Never Paid" in html and "Paid Ahead" not in html
    assert "17 November 2025" in html
    assert fresh.pk


def test_whatsapp_opens_the_queued_message_and_marks_it_sent(client, kepling_user, late_workers):
    mine, _ = late_workers
    send("2025-10-16")
    message = OutboxMessage.objects.get(worker=mine)
    composed = MessageTexts()(message)
    client.force_login(kepling_user)
    answer = client.post(f"/pengingat/pekerja/{mine.pk}/whatsapp/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://wa.me/6281234567890?text=")
    assert unquote(answer["Location"].split("text=", 1)[1]) == composed
    message.refresh_from_db()
    assert (message.body, message.to) == (composed, mine.no_hp)  # the text sent is kept
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    assert AuditLog.objects.filter(action="reminder_sent_by_kepling", object_id=str(message.pk)).exists()


def test_whatsapp_composes_when_nothing_is_queued(client, kepling_user, late_workers):
    mine, _ = late_workers
    client.force_login(kepling_user)
    answer = client.post(f"/pengingat/pekerja/{mine.pk}/whatsapp/")
    assert answer.status_code == 302 and "Ahmad%20Mine" in answer["Location"]
    assert OutboxMessage.objects.count() == 0


def test_another_lingkungans_worker_is_404(client, kepling_user, late_workers):
    _, theirs = late_workers
    client.force_login(kepling_user)
    assert client.post(f"/pengingat/pekerja/{theirs.pk}/hasil/", {"outcome": "reached"}).status_code == 404
    assert client.post(f"/pengingat/pekerja/{theirs.pk}/whatsapp/").status_code == 404
    assert client.post("/pengingat/pekerja/999999/hasil/", {"outcome": "reached"}).status_code == 404
    assert ContactOutcome.objects.count() == 0


def test_outcome_is_recorded_audited_and_marks_the_reminder_sent(client, kepling_user, late_workers):
    mine, _ = late_workers
    send("2025-10-16")
    client.force_login(kepling_user)
    answer = client.post(
        f"/pengingat/pekerja/{mine.pk}/hasil/",
        {"outcome": "promised", "note": "Bayar Jumat", "promised_on": "2025-10-24", "next": "/pengingat/"},
    )
    # Back to the worker's own row, not the top of the list.
    assert answer.status_code == 302 and answer["Location"] == f"/pengingat/#pekerja-{mine.pk}"
    row = ContactOutcome.objects.get()
    assert (row.worker, row.by, row.outcome, row.note) == (mine, kepling_user, "promised", "Bayar Jumat")
    assert row.promised_on == d("2025-10-24")
    assert row.message == OutboxMessage.objects.get(worker=mine)
    assert row.message.status == MessageStatus.SENT
    audit = AuditLog.objects.get(action="contact_outcome_recorded")
    assert audit.actor == kepling_user and audit.object_id == str(mine.pk)
    assert audit.new_values["outcome"] == "promised"


def test_bad_outcome_changes_nothing(client, kepling_user, late_workers):
    mine, _ = late_workers
    client.force_login(kepling_user)
    answer = client.post(f"/pengingat/pekerja/{mine.pk}/hasil/", {"outcome": "bribed"}, follow=True)
    assert "Pilih hasil kontak" in answer.content.decode() or "Choose the outcome" in answer.content.decode()
    assert ContactOutcome.objects.count() == 0
    assert client.get(f"/pengingat/pekerja/{mine.pk}/hasil/").status_code == 405


@pytest.fixture
def escalated(city):
    """Workers sent the 3-months-in-arrears reminder on 18 Nov 2025 (November due on the 17th)."""
    stays = make_worker(city.lingkungan[0], nama="Still Unpaid")
    pays = make_worker(city.lingkungan[1], nama="Paid Later")
    elsewhere = make_worker(city.lingkungan[4], nama="Other Kecamatan")
    for worker in (stays, pays, elsewhere):
        pay_months(worker, ["2025-08"])
    send("2025-11-18")
    assert OutboxMessage.objects.filter(rule__code="tunggakan-3").count() == 3
    pay(pays, "2025-09", "2025-11-20")
    return stays, pays, elsewhere


def test_lurah_sees_workers_unpaid_7_days_after_the_last_reminder(client, lurah, escalated):
    client.force_login(lurah)
    assert "Still Unpaid" not in client.get("/pengingat/eskalasi/?tanggal=2025-11-24").content.decode()
    html = client.get("/pengingat/eskalasi/?tanggal=2025-11-25").content.decode()
    assert "Still Unpaid" in html
    assert "Paid Later" not in html and "Other Kecamatan" not in html
    assert client.get("/pengingat/").status_code == 302


def test_camat_sees_them_14_days_later(client, camat, escalated):
    client.force_login(camat)
    assert "Still Unpaid" not in client.get("/pengingat/eskalasi/?tanggal=2025-12-08").content.decode()
    html = client.get("/pengingat/eskalasi/?tanggal=2025-12-09").content.decode()
    assert "Still Unpaid" in html and "Paid Later" not in html and "Other Kecamatan" not in html


def test_kepling_has_no_escalation_or_effect_page(client, kepling_user):
    client.force_login(kepling_user)
    assert client.get("/pengingat/eskalasi/").status_code == 403
    assert client.get("/pengingat/hasil/").status_code == 403


def test_reminder_effect_counts_payments_within_7_days(client, lurah, admin_kota, city, late_workers):
    mine, theirs = late_workers
    send("2025-10-16")
    OutboxMessage.objects.update(status=MessageStatus.SENT)
    pay(mine, "2025-10", "2025-10-20")  # 4 days after the reminder
    pay(theirs, "2025-10", "2025-10-30")  # 14 days after
    effect = {row.rule.code: row for row in reminder_effect(city.kota, d("2025-11-30"))}
    first = effect["tunggakan-1"]
    assert (first.sent, first.paid_within_7_days, str(first.share_pct)) == (2, 1, "50.00")
    assert effect["h-3"].sent == 0 and effect["h-3"].share_pct is None
    other_kelurahan = Wilayah.objects.get(kode="12.71.02")
    assert reminder_effect(other_kelurahan, d("2025-11-30"))[1].sent == 0
    client.force_login(lurah)
    html = client.get("/pengingat/hasil/?tanggal=2025-11-30").content.decode()
    assert "50,00%" in html
    assert client.get("/pengingat/hasil/?wilayah=12.71.02").status_code == 404
    client.force_login(admin_kota)
    assert client.get("/pengingat/hasil/?wilayah=12.71.02").status_code == 200
    assert ReminderRule.objects.count() == 5


def test_rules_are_editable_in_the_admin(client, admin_kota):
    client.force_login(admin_kota)
    rule = ReminderRule.objects.get(code="h-3")
    assert client.get(f"/admin/reminders/reminderrule/{rule.pk}/change/").status_code == 200
    assert client.get("/admin/reminders/outboxmessage/").status_code == 200


def test_the_admin_shows_a_queued_message_with_its_text(client, admin_kota, late_workers):
    mine, _ = late_workers
    send("2025-10-16")
    message = OutboxMessage.objects.get(worker=mine)
    client.force_login(admin_kota)
    html = client.get(f"/admin/reminders/outboxmessage/{message.pk}/change/").content.decode()
    assert message.body == "" and "Rp16.800" in html and mine.nama in html
