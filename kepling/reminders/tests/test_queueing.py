"""Rules fire on the right dates, name the right amount, and queue once per worker, rule and month."""

from __future__ import annotations

import datetime

import pytest

from kepling.contributions.status import standing, with_status
from kepling.core.periods import due_date
from kepling.regions.models import KeplingTerm
from kepling.reminders.messages import MessageTexts, compose, firing_month, whatsapp_link
from kepling.reminders.models import OutboxMessage, ReminderRule
from kepling.reminders.tests.helpers import d, pay, pay_months, send
from kepling.testing import make_worker
from kepling.workers.models import Worker

pytestmark = pytest.mark.django_db


def text(message: OutboxMessage) -> str:
    return MessageTexts()(message)


def queued_codes(worker: Worker) -> set[tuple[str, str]]:
    return {(m.rule.code, m.periode.strftime("%Y-%m")) for m in OutboxMessage.objects.filter(worker=worker)}


def test_due_dates_used_by_the_tests():
    assert due_date(d("2025-10-01")) == d("2025-10-15")
    assert due_date(d("2025-11-01")) == d("2025-11-17")  # the 15th is a Saturday


def test_three_days_before_a_due_date_moved_by_the_weekend(city):
    unpaid = make_worker(city.lingkungan[0])
    paid_ahead = make_worker(city.lingkungan[0])
    pay_months(unpaid, ["2025-10"])
    pay_months(paid_ahead, ["2025-10", "2025-11"])
    assert send("2025-11-12")["queued"] == 0  # 15 minus 3: but November is due on the 17th
    result = send("2025-11-14")
    assert result["queued"] == 1
    assert queued_codes(unpaid) == {("h-3", "2025-11")}
    assert queued_codes(paid_ahead) == set()
    message = OutboxMessage.objects.get(worker=unpaid)
    assert (message.jumlah, message.body) == (16_800, "")  # the text is composed when shown or sent
    assert "November 2025" in text(message)
    assert "Rp16.800" in text(message)
    assert "17 November 2025" in text(message)
    assert message.to == ""  # the number is taken when the message is sent
    assert message.queued_on == d("2025-11-14")
    assert message.kelurahan_id == unpaid.kelurahan_id


def test_three_days_before_a_holiday_shifted_due_date(city):
    # 15 March 2029 is a Thursday and Nyepi (Day of Silence): the month is due on the 16th.
    month = d("2029-03-01")
    assert due_date(month) == d("2029-03-16")
    worker = make_worker(city.lingkungan[0])
    rule = ReminderRule.objects.get(code="h-3")
    fires_on = due_date(month) - datetime.timedelta(days=3)
    assert firing_month(rule, fires_on) == month
    assert firing_month(rule, month.replace(day=12)) is None
    assert firing_month(rule, due_date(month)) == month  # still due until the due date
    assert firing_month(rule, due_date(month) + datetime.timedelta(days=1)) is None
    assert send("2029-03-12")["queued"] == 0
    assert send(fires_on.isoformat())["queued"] == 1
    assert queued_codes(worker) == {("h-3", month.strftime("%Y-%m"))}


def test_arrears_one_two_three_and_reactivation_the_day_after_the_due_date(city):
    lin = city.lingkungan[0]
    workers = {n: make_worker(lin, registered="2025-05-20") for n in range(6)}
    latest = {0: "2025-10", 1: "2025-09", 2: "2025-08", 3: "2025-07", 4: "2025-06", 5: "2025-05"}
    for n, month in latest.items():
        pay_months(workers[n], [month])
    never_paid = make_worker(lin)
    as_of = d("2025-10-16")
    on_due_date = send("2025-10-15")  # on the due date itself October is not late yet
    assert {r["periode"] for r in on_due_date["rules"] if r["rule"] != "h-3"} == {"2025-09"}
    OutboxMessage.objects.all().delete()
    result = send(as_of.isoformat())
    assert queued_codes(workers[0]) == set()
    assert queued_codes(workers[1]) == {("tunggakan-1", "2025-10")}
    assert queued_codes(workers[2]) == {("tunggakan-2", "2025-10")}
    assert queued_codes(workers[3]) == {("tunggakan-3", "2025-10")}
    assert queued_codes(workers[4]) == {("aktifkan-kembali", "2025-10")}
    assert queued_codes(workers[5]) == set()  # 5 months: the invitation went out a month ago
    assert queued_codes(never_paid) == set()
    assert result["queued"] == 4
    # The set-based selection agrees with the status engine.
    annotated = {w.pk: w.arrears_months for w in with_status(Worker.objects.all(), as_of)}
    for n, worker in workers.items():
        assert annotated[worker.pk] == standing(worker, as_of).arrears_months == n


def test_a_missed_day_is_caught_up_once(city):
    worker = make_worker(city.lingkungan[0])
    pay_months(worker, ["2025-08"])
    later = send("2025-10-29")  # nobody ran the reminders on the 16th
    assert later["queued"] == 1
    assert queued_codes(worker) == {("tunggakan-2", "2025-10")}
    assert send("2025-10-30")["already_queued"] == 1
    assert send("2025-10-30")["queued"] == 0


def test_message_names_the_discounted_amount_of_a_pp50_month(city):
    lin = city.lingkungan[0]
    driver = make_worker(lin, sektor="transportasi", pekerjaan="Ojek online")
    trader = make_worker(lin)
    pay(driver, "2026-01", "2026-01-10", 8_400)
    pay(trader, "2026-01", "2026-01-10")
    fires_on = due_date(d("2026-02-01")) - datetime.timedelta(days=3)
    send(fires_on.isoformat())
    driver_message = OutboxMessage.objects.get(worker=driver)
    trader_message = OutboxMessage.objects.get(worker=trader)
    assert (driver_message.jumlah, trader_message.jumlah) == (8_400, 16_800)
    assert "Rp8.400" in text(driver_message) and "Februari 2026" in text(driver_message)
    assert "Rp16.800" in text(trader_message)


def test_body_matches_the_composer_and_names_the_kepling(city, kepling_user):
    kepling_user.full_name = "Pak Budi"
    kepling_user.save()
    KeplingTerm.objects.create(kepling=kepling_user, lingkungan=city.lingkungan[0], start=d("2025-01-01"))
    worker = make_worker(city.lingkungan[0], nama="Siti Aminah", program="JKK-JKM-JHT", penghasilan=2_000_000)
    send("2025-11-14")
    message = OutboxMessage.objects.get(worker=worker)
    rule = ReminderRule.objects.get(code="h-3")
    expected = compose(
        rule.template,
        month=d("2025-11-01"),
        nama="Siti Aminah",
        jumlah=66_800,
        kepling="Pak Budi",
        nomor=f"NIK {worker.nik_masked}",
    )
    body = text(message)
    assert body == expected
    assert "Rp66.800" in body and "Pak Budi" in body and "Siti Aminah" in body
    assert "JMO" in body
    link = whatsapp_link(worker.no_hp, body)
    assert link.startswith("https://wa.me/6281234567890?text=Yth.%20Siti%20Aminah")


def test_second_run_on_the_same_date_queues_nothing(city):
    for _ in range(3):
        make_worker(city.lingkungan[0])
    make_worker(city.lingkungan[2])
    first = send("2025-11-14")
    second = send("2025-11-14")
    assert first["queued"] == 4 and first["already_queued"] == 0
    assert second["queued"] == 0 and second["already_queued"] == 4
    assert OutboxMessage.objects.count() == 4


def test_partly_queued_counts_split_exactly(city):
    first = make_worker(city.lingkungan[0])
    send("2025-11-14")
    make_worker(city.lingkungan[0])
    result = send("2025-11-14")
    assert (result["queued"], result["already_queued"]) == (1, 1)
    assert OutboxMessage.objects.filter(worker=first).count() == 1


def test_dry_run_writes_nothing(city):
    make_worker(city.lingkungan[0])
    make_worker(city.lingkungan[1])
    dry = send("2025-11-14", "--dry-run")
    assert dry["dry_run"] is True and dry["queued"] == 2
    assert OutboxMessage.objects.count() == 0
    send("2025-11-14")
    again = send("2025-11-14", "--dry-run")
    assert (again["queued"], again["already_queued"]) == (0, 2)


def test_inactive_rule_and_withdrawn_or_later_registered_workers_are_skipped(city):
    make_worker(city.lingkungan[0], registered="2025-11-20")
    gone = make_worker(city.lingkungan[0])
    gone.withdrawn_on = d("2025-11-01")
    gone.save()
    kept = make_worker(city.lingkungan[0])
    assert send("2025-11-14")["queued"] == 1
    assert queued_codes(kept) == {("h-3", "2025-11")}
    ReminderRule.objects.filter(code="h-3").update(active=False)
    OutboxMessage.objects.all().delete()
    assert send("2025-11-14")["queued"] == 0


def test_plain_output_and_bad_date(city):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("send_reminders", "--as-of", "2025-11-14", stdout=out)
    assert "queued 0" in out.getvalue() and "already_queued 0" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--as-of", "14/11/2025")


def test_a_wiped_rule_table_gets_the_default_rules_back(city):
    make_worker(city.lingkungan[0])
    ReminderRule.objects.all().delete()
    assert send("2025-11-14", "--dry-run")["queued"] == 1
    assert ReminderRule.objects.count() == 0
    assert send("2025-11-14")["queued"] == 1
    assert ReminderRule.objects.count() == 5


def test_before_due_rules_for_two_different_months_on_one_day(city):
    ReminderRule.objects.create(
        code="h-35", name="Early", kind="before_due", days_from_due=-35, template="{nama} {bulan} {jumlah}"
    )
    unpaid = make_worker(city.lingkungan[0])
    paid_december = make_worker(city.lingkungan[0])
    pay_months(paid_december, ["2025-10"])
    pay(paid_december, "2025-12", "2025-11-10")  # paid in advance
    send("2025-11-14")
    assert queued_codes(unpaid) == {("h-3", "2025-11"), ("h-35", "2025-12")}
    assert queued_codes(paid_december) == {("h-3", "2025-11")}
    assert text(OutboxMessage.objects.get(worker=unpaid, rule__code="h-35")).endswith("Desember 2025 Rp16.800")


def test_a_re_run_of_arrears_rules_counts_and_queues_only_what_changed(city):
    lin = city.lingkungan[0]
    behind = {n: make_worker(lin, registered="2025-05-20") for n in (1, 2, 3)}
    pay_months(behind[1], ["2025-09"])
    pay_months(behind[2], ["2025-08"])
    pay_months(behind[3], ["2025-07"])
    first = send("2025-10-16")
    assert first["queued"] == 3
    # Before the next day's run: one worker leaves the register, one catches up a month.
    behind[3].withdrawn_on = d("2025-10-20")
    behind[3].save()
    pay(behind[2], "2025-09", "2025-10-21")
    again = {r["rule"]: (r["queued"], r["already_queued"]) for r in send("2025-10-22")["rules"]}
    assert again["tunggakan-1"] == (1, 1)  # the worker who caught up is now one month behind
    assert again["tunggakan-2"] == (0, 0)
    assert again["tunggakan-3"] == (0, 0)  # withdrawn: no longer a candidate
    assert queued_codes(behind[2]) == {("tunggakan-2", "2025-10"), ("tunggakan-1", "2025-10")}
    assert queued_codes(behind[3]) == {("tunggakan-3", "2025-10")}


def test_default_rules_are_stored_only_on_an_empty_table_and_switched_off_rules_stay_off(city):
    from kepling.reminders.actions import ensure_default_rules
    from kepling.reminders.defaults import DEFAULT_RULES
    from kepling.reminders.queries import reminder_rules

    make_worker(city.lingkungan[0])
    ReminderRule.objects.all().delete()
    assert [r.code for r in reminder_rules()] == [values["code"] for values in DEFAULT_RULES]
    assert all(r.pk is None for r in reminder_rules())  # read, not stored
    assert ensure_default_rules() == len(DEFAULT_RULES)
    assert ensure_default_rules() == 0
    ReminderRule.objects.update(active=False)
    assert ensure_default_rules() == 0
    assert not any(r.active for r in reminder_rules())
    assert send("2025-11-14")["queued"] == 0
