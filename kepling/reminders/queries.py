"""Reads of the reminders app: the Kepling's follow-up list, the escalation lists and reminder effect.

Every read of workers goes through `workers_for(user)` or `scope_q(user)`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.accounts.scoping import scope_q
from kepling.contributions.models import Payment, WorkerMonth
from kepling.contributions.status import STATUS_LABELS, Status, covered_on, registered_on, with_status
from kepling.contributions.tariffs import TariffBook
from kepling.core.periods import add_months, due_date, last_due_month_before, month_start
from kepling.regions.models import Wilayah
from kepling.reminders.defaults import DEFAULT_RULES
from kepling.reminders.messages import KeplingNames, MessageTexts, compose, pay_number, whatsapp_link
from kepling.reminders.models import (
    KEPLING_WHATSAPP,
    ContactOutcome,
    MessageStatus,
    OutboxMessage,
    Outcome,
    ReminderRule,
    RuleKind,
)
from kepling.workers.models import Worker
from kepling.workers.queries import workers_for

DUE_SOON_DAYS = 7
PAID_WITHIN_DAYS = 7
LURAH_AFTER_DAYS = 7  # after the last reminder
CAMAT_AFTER_DAYS = LURAH_AFTER_DAYS + 14


def next_due_month(as_of: datetime.date) -> datetime.date:
    """The first month whose due date is on or after `as_of`."""
    month = month_start(as_of)
    return month if due_date(month) >= as_of else add_months(month, 1)


def rule_for(rules: list[ReminderRule], status: str, arrears: int) -> ReminderRule | None:
    """The rule whose message fits a worker's situation (for composing when nothing is queued)."""
    if status in {Status.IN_ARREARS, Status.INACTIVE}:
        fitting = [r for r in rules if r.kind == RuleKind.ARREARS and r.arrears_months <= arrears]
        return max(fitting, key=lambda r: r.arrears_months) if fitting else None
    return next((r for r in rules if r.kind == RuleKind.BEFORE_DUE), None)


@dataclass
class FollowUpRow:
    """One worker on the Kepling's list, with the month concerned and the message to send."""

    worker: Worker
    status: str
    arrears_months: int
    month: datetime.date
    due_on: datetime.date
    amount: int
    body: str
    message: OutboxMessage | None
    last_outcome: ContactOutcome | None
    promise_due: bool = False
    contacted_today: bool = False

    @property
    def whatsapp_url(self) -> str:
        return whatsapp_link(self.worker.no_hp, self.body)

    @property
    def due_soon(self) -> bool:
        return self.status in {Status.ACTIVE, Status.NEVER_PAID}

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[Status(self.status)])

    @property
    def priority(self) -> tuple[int, int]:
        """What matters most today first: a promise that fell due, then the longest arrears."""
        if self.promise_due:
            return (0, 0)
        return (1 + ORDER[Status(self.status)], -self.arrears_months)


ORDER = {Status.IN_ARREARS: 0, Status.ACTIVE: 1, Status.NEVER_PAID: 2, Status.INACTIVE: 3}


def latest_outcomes(worker_ids: list[int]) -> dict[int, ContactOutcome]:
    """Each worker's most recent contact outcome."""
    latest: dict[int, ContactOutcome] = {}
    for row in ContactOutcome.objects.filter(worker_id__in=worker_ids).select_related("by").order_by("at", "id"):
        latest[row.worker_id] = row
    return latest


@dataclass
class FollowUpList:
    """The day's work list and how far the Kepling got with it today."""

    rows: list[FollowUpRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def contacted_today(self) -> int:
        return sum(1 for row in self.rows if row.contacted_today)

    @property
    def done(self) -> bool:
        return bool(self.rows) and self.contacted_today == self.total


def follow_up_rows(user: User, as_of: datetime.date, *, keep_contacted_today: bool = True) -> list[FollowUpRow]:
    """The user's workers whose month is due soon (unpaid), in arrears, inactive or never paid.

    A worker who promised to pay leaves the list until the promised date and comes back on it if
    nothing was paid since the promise. With `keep_contacted_today` (today's list), a worker
    contacted today stays on the list, marked done, whatever was recorded.
    """
    return _follow_up(workers_for(user), as_of, everyone=False, keep_contacted_today=keep_contacted_today)


def follow_up_list(user: User, as_of: datetime.date, *, keep_contacted_today: bool = True) -> FollowUpList:
    """The follow-up rows with today's progress."""
    return FollowUpList(follow_up_rows(user, as_of, keep_contacted_today=keep_contacted_today))


def follow_up_row(user: User, worker: Worker, as_of: datetime.date) -> FollowUpRow | None:
    """One worker's row (with the message to send), whatever their status; None outside the user's area."""
    rows = _follow_up(workers_for(user).filter(pk=worker.pk), as_of, everyone=True)
    return rows[0] if rows else None


def _contacted_on(outcome: ContactOutcome | None, day: datetime.date) -> bool:
    return outcome is not None and timezone.localtime(outcome.at).date() == day


def _promises(outcomes: dict[int, ContactOutcome], as_of: datetime.date) -> tuple[set[int], set[int]]:
    """Workers whose latest contact is a promise: still waiting for its date, and fallen due unpaid."""
    promised = {w: o for w, o in outcomes.items() if o.outcome == Outcome.PROMISED and o.promised_on is not None}
    waiting = {w for w, o in promised.items() if o.promised_on is not None and o.promised_on > as_of}
    due = {w: o for w, o in promised.items() if w not in waiting}
    paid = set()
    for worker_id, outcome in due.items():
        since = timezone.localtime(outcome.at).date()
        payments = Payment.objects.filter(worker_id=worker_id, jumlah__gt=0, tanggal_bayar__lte=as_of)
        if payments.filter(tanggal_bayar__gte=since).exists():
            paid.add(worker_id)
    return waiting, set(due) - paid


def _needs_follow_up(w: Any, due_soon: bool) -> bool:
    return (
        w.status in {Status.IN_ARREARS, Status.INACTIVE}
        or (w.status == Status.NEVER_PAID and not w.upcoming_paid)
        or (w.status == Status.ACTIVE and due_soon and not w.upcoming_paid)
    )


def _follow_up(
    scoped: QuerySet[Worker], as_of: datetime.date, *, everyone: bool, keep_contacted_today: bool = False
) -> list[FollowUpRow]:
    upcoming = next_due_month(as_of)
    overdue = last_due_month_before(as_of)
    upcoming_paid = WorkerMonth.objects.filter(covered_on(as_of), worker=OuterRef("pk"), periode=upcoming)
    # A worker withdrawn today (died, moved away) is nobody to chase, even on data a few days old.
    on_register = scoped.filter(registered_on(as_of)).exclude(withdrawn_on__lte=timezone.localdate())
    workers = list(
        with_status(on_register, as_of)
        .annotate(upcoming_paid=Exists(upcoming_paid))
        .select_related("lingkungan")
    )
    due_soon = due_date(upcoming) - as_of <= datetime.timedelta(days=DUE_SOON_DAYS)
    outcomes = latest_outcomes([w.pk for w in workers])
    today = timezone.localdate()
    waiting, promise_due = _promises(outcomes, as_of)
    kept = {w for w, o in outcomes.items() if keep_contacted_today and _contacted_on(o, today)}
    picked: list[Any] = [
        w
        for w in workers
        if everyone or w.pk in kept or w.pk in promise_due or (w.pk not in waiting and _needs_follow_up(w, due_soon))
    ]
    ids = [w.pk for w in picked]
    queued: dict[int, OutboxMessage] = {}
    for message in OutboxMessage.objects.filter(worker_id__in=ids, status=MessageStatus.QUEUED).order_by(
        "queued_on", "id"
    ):
        queued[message.worker_id] = message
    every_rule = reminder_rules()
    rules = [r for r in every_rule if r.active]
    book, names = TariffBook(), KeplingNames()
    texts, templates = MessageTexts(names), {r.pk: r for r in every_rule}
    rows = []
    for w in picked:
        month = overdue if w.status in {Status.IN_ARREARS, Status.INACTIVE} else upcoming
        amount = book.due(
            month=month, program=w.program, sektor=w.sektor, sumber_iuran=w.sumber_iuran, penghasilan=w.penghasilan
        ).total
        found = queued.get(w.pk)
        rule = rule_for(rules, w.status, w.arrears_months)
        if found is not None and found.rule_id in templates:
            found.worker, found.rule = w, templates[found.rule_id]
            body = texts(found)
        elif rule is not None:
            kepling = names(w.lingkungan_id, as_of)
            body = compose(
                rule.template,
                month=month,
                nama=w.nama,
                jumlah=amount,
                kepling=kepling,
                nomor=pay_number(w),
                channels=texts.channels,
            )
        else:
            body = ""
        last = outcomes.get(w.pk)
        row = FollowUpRow(w, w.status, w.arrears_months, month, due_date(month), amount, body, found, last)
        row.promise_due = w.pk in promise_due
        row.contacted_today = _contacted_on(last, today)
        rows.append(row)
    rows.sort(key=lambda r: (r.priority, r.worker.nama, r.worker.pk))
    return rows


@dataclass
class EscalationRow:
    """A worker still unpaid after the last reminder."""

    worker: Worker
    message: OutboxMessage
    days_since: int
    status: str
    arrears_months: int
    last_outcome: ContactOutcome | None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[Status(self.status)])

    @property
    def at_camat(self) -> bool:
        return self.days_since >= CAMAT_AFTER_DAYS


def escalated_messages(user: User, as_of: datetime.date, after_days: int) -> QuerySet[OutboxMessage]:
    """Escalating reminders at least `after_days` old whose worker has paid nothing since."""
    paid_since = Payment.objects.filter(
        worker=OuterRef("worker"), jumlah__gt=0, tanggal_bayar__gte=OuterRef("queued_on"), tanggal_bayar__lte=as_of
    )
    return (
        OutboxMessage.objects.filter(
            scope_q(user, prefix="worker__"),
            rule__escalates=True,
            queued_on__lte=as_of - datetime.timedelta(days=after_days),
        )
        .filter(registered_on(as_of, prefix="worker__"))
        .exclude(Exists(paid_since))
        .select_related("worker", "worker__lingkungan", "rule")
        .order_by("worker_id", "-queued_on", "-id")
    )


def escalations(user: User, as_of: datetime.date, after_days: int) -> list[EscalationRow]:
    """One row per worker (their latest escalating reminder), oldest reminder first."""
    latest: dict[int, OutboxMessage] = {}
    for message in escalated_messages(user, as_of, after_days):
        latest.setdefault(message.worker_id, message)
    ids = list(latest)
    standing = {
        w.pk: (getattr(w, "status"), getattr(w, "arrears_months"))  # noqa: B009
        for w in with_status(Worker.objects.filter(pk__in=ids), as_of)
    }
    outcomes = latest_outcomes(ids)
    rows = [
        EscalationRow(
            m.worker,
            m,
            (as_of - m.queued_on).days,
            *standing.get(m.worker_id, (Status.NEVER_PAID.value, 0)),
            outcomes.get(m.worker_id),
        )
        for m in latest.values()
    ]
    rows.sort(key=lambda r: (-r.days_since, r.worker.lingkungan.kode, r.worker.nama))
    return rows


@dataclass
class RuleEffect:
    """Reminders of one rule and how many were followed by a payment within 7 days."""

    rule: ReminderRule
    queued: int
    sent: int
    paid_within_7_days: int

    @property
    def share_pct(self) -> Decimal | None:
        if not self.sent:
            return None
        share = Decimal(self.paid_within_7_days * 100) / Decimal(self.sent)
        return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reminder_effect(node: Wilayah, as_of: datetime.date) -> list[RuleEffect]:
    """Per rule: reminders sent up to `as_of` under `node`, and those paid within 7 days of the reminder.

    "Paid" means any payment received from the reminder's date to 7 days after it (and not after
    `as_of`, so reminders of the last 7 days are still inside their window).
    """
    messages = OutboxMessage.objects.filter(**{f"worker__{node.ancestor_field()}": node}, queued_on__lte=as_of)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    sent_statuses = [MessageStatus.SENT, MessageStatus.DELIVERED]
    for day in messages.values_list("queued_on", flat=True).distinct().order_by():
        window_end = min(day + datetime.timedelta(days=PAID_WITHIN_DAYS), as_of)
        paid = Payment.objects.filter(
            worker=OuterRef("worker"), jumlah__gt=0, tanggal_bayar__gte=day, tanggal_bayar__lte=window_end
        )
        grouped = (
            messages.filter(queued_on=day)
            .annotate(paid=Exists(paid))
            .values("rule_id")
            .annotate(
                total=Count("id"),
                sent=Count("id", filter=Q(status__in=sent_statuses)),
                paid_sent=Count("id", filter=Q(status__in=sent_statuses, paid=True)),
            )
            .order_by()
        )
        for row in grouped:
            tally = counts[row["rule_id"]]
            tally[0] += row["total"] - row["sent"]
            tally[1] += row["sent"]
            tally[2] += row["paid_sent"]
    return [RuleEffect(rule, *counts.get(rule.pk, [0, 0, 0])) for rule in ReminderRule.objects.all()]


def failed_messages(user: User) -> QuerySet[OutboxMessage]:
    """Gateway messages that could not be sent, in `user`'s area, newest first."""
    return (
        OutboxMessage.objects.filter(scope_q(user, prefix="worker__"), status=MessageStatus.FAILED)
        .exclude(channel=KEPLING_WHATSAPP)
        .select_related("worker", "worker__lingkungan", "rule")
        .order_by("-queued_on", "-id")
    )


def failure_reason(message: OutboxMessage) -> str:
    """Why a message failed, in words for the Admin kota (the gateway's own error stays in the admin)."""
    error = message.last_error
    if error.startswith("expired"):
        return str(_("The gateway could not be reached before the message expired"))
    if error.startswith("HTTP 4"):
        return str(_("The gateway refused the message"))
    if error == "no phone number":
        return str(_("The worker has no mobile number"))
    return str(_("The message could not be sent"))


def reminder_rules() -> list[ReminderRule]:
    """The reminder rules; on an empty table (a wiped database) the program's defaults, unsaved.

    Rules are switched off with `active`, never by deleting them all; a queueing run stores the
    defaults back first (`actions.ensure_default_rules`).
    """
    return list(ReminderRule.objects.all()) or [ReminderRule(**values) for values in DEFAULT_RULES]
