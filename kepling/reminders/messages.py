"""When a rule fires, and the text of its message: one composer for the outbox and the follow-up list."""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote

from django.conf import settings

from kepling.core.formatting import format_date, format_month, format_rupiah
from kepling.core.periods import add_months, due_date, month_start
from kepling.regions.queries import kepling_in_office
from kepling.reminders.models import OutboxMessage, PaymentChannel, ReminderRule, RuleKind
from kepling.workers.models import Worker

# How to pay, in the workers' language, when no payment channel is kept as data (PaymentChannel);
# a deployment may override it in settings.
DEFAULT_CARA_BAYAR = (
    "aplikasi JMO, teller/ATM/mobile banking bank mitra, gerai ritel (Indomaret, Alfamart, Kantor Pos) "
    "atau agen Perisai BPJS Ketenagakerjaan"
)
# One line on what the worker gains (domain.md section 4), so each reminder also educates.
DEFAULT_MANFAAT = (
    "Manfaatnya: kecelakaan kerja dirawat tanpa batas biaya, dan jika meninggal ahli waris menerima Rp42 juta."
)
# What fits on one phone screen in WhatsApp without "Read more": every message stays under it.
MESSAGE_MAX_CHARS = 600

# Constant placeholders are filled first, the per-worker ones after, in this order.
CONSTANT_PLACEHOLDERS = ("{bulan}", "{jatuh_tempo}", "{cara_bayar}", "{manfaat}")
WORKER_PLACEHOLDERS = ("{nama}", "{jumlah}", "{kepling}", "{nomor}")


def cara_bayar() -> str:
    """The payment channels named in every message: the active ones kept as data, else the setting."""
    names = [str(n) for n in PaymentChannel.objects.filter(active=True).values_list("nama", flat=True)]
    if names:
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} atau {names[-1]}"
    return str(getattr(settings, "KEPLING_REMINDER_CARA_BAYAR", DEFAULT_CARA_BAYAR))


def manfaat() -> str:
    """The benefit line of every message."""
    return str(getattr(settings, "KEPLING_REMINDER_MANFAAT", DEFAULT_MANFAAT))


def pay_number(worker: Worker) -> str:
    """The number the worker pays with: the KPJ card number when known, else their NIK (masked)."""
    return f"KPJ {worker.kpj}" if worker.kpj else f"NIK {worker.nik_masked}"


def firing_month(rule: ReminderRule, as_of: datetime.date) -> datetime.date | None:
    """The month `rule` reminds about on `as_of`, or None when the rule has nothing to say that day.

    A rule fires `days_from_due` days from a month's due date and stays due until the next
    month takes over (a `before_due` rule only until the due date itself), so a day the daily
    run missed is caught up on the next run; the outbox's unique key keeps it to one message.
    """
    target = as_of - datetime.timedelta(days=rule.days_from_due)
    month = month_start(target)
    if due_date(month) > target:
        month = add_months(month, -1)
    if rule.kind == RuleKind.BEFORE_DUE and as_of > due_date(month):
        return None
    return month


def fill_constants(template: str, month: datetime.date, channels: str | None = None) -> str:
    """The template with the month, due date, payment channels and benefit line filled in."""
    values = (format_month(month), format_date(due_date(month)), channels or cara_bayar(), manfaat())
    for placeholder, value in zip(CONSTANT_PLACEHOLDERS, values, strict=True):
        template = template.replace(placeholder, value)
    return template


def fill_worker(text: str, *, nama: str, jumlah: int, kepling: str, nomor: str = "") -> str:
    """Fill the per-worker placeholders (plain replacement: a template never runs code)."""
    values = (nama, format_rupiah(jumlah), kepling, nomor)
    for placeholder, value in zip(WORKER_PLACEHOLDERS, values, strict=True):
        text = text.replace(placeholder, value)
    return text


def compose(
    template: str,
    *,
    month: datetime.date,
    nama: str,
    jumlah: int,
    kepling: str,
    nomor: str = "",
    channels: str | None = None,
) -> str:
    """The message for one worker and month."""
    filled = fill_constants(template, month, channels)
    return fill_worker(filled, nama=nama, jumlah=jumlah, kepling=kepling, nomor=nomor)


class KeplingNames:
    """The name of the Kepling in office in a lingkungan on a day, looked up once each."""

    def __init__(self) -> None:
        self.names: dict[tuple[int, datetime.date], str] = {}

    def __call__(self, lingkungan_id: int, day: datetime.date) -> str:
        key = (lingkungan_id, day)
        if key not in self.names:
            kepling = kepling_in_office(lingkungan_id, day)
            self.names[key] = str(kepling) if kepling else ""
        return self.names[key]


class MessageTexts:
    """The text of outbox messages: the text sent, else composed now from the rule, month and amount.

    The Kepling named is the one in office on the day the message was queued.
    """

    def __init__(self, names: KeplingNames | None = None) -> None:
        self.kepling = names or KeplingNames()
        self.channels = cara_bayar()

    def __call__(self, message: OutboxMessage) -> str:
        if message.body:
            return message.body
        return compose(
            message.rule.template,
            month=message.periode,
            nama=message.worker.nama,
            jumlah=message.jumlah,
            kepling=self.kepling(message.lingkungan_id, message.queued_on),
            nomor=pay_number(message.worker),
            channels=self.channels,
        )


    def outgoing(self, message: OutboxMessage) -> tuple[str, str]:
        """What a message is sent as, and kept as once sent: its text, and the worker's number now."""
        return self(message), message.worker.no_hp


def text_of(message: OutboxMessage) -> str:
    """One message's text (the text sent, or composed now)."""
    return MessageTexts()(message)


def whatsapp_link(to: str, body: str) -> str:
    """A wa.me link that opens WhatsApp on the number with the message typed in ("" without a number)."""
    digits = re.sub(r"\D", "", to)
    if not digits:
        return ""
    return f"https://wa.me/{digits}?text={quote(body, safe='')}"
