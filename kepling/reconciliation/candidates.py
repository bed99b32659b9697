"""Who an unmatched payment may belong to: ranked candidate workers, each with the evidence found.

Evidence, strongest first: a worker now holds the payment's NIK (registered after the payment
arrived); a worker holds the payment's KPJ; a worker has the name BPJS gives for that NIK and
the birth date the NIK encodes. Candidates come only from the user's area (`workers_for`), and
show the NIK masked, so the officer links without ever seeing a full NIK.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.contributions.models import Payment
from kepling.core.crypto import decrypt_text
from kepling.reconciliation.models import BpjsParticipant, ItemKind, ReconciliationItem
from kepling.workers.models import Worker
from kepling.workers.queries import workers_for
from kepling.workers.validation import name_key, nik_facts

SHOWN = 10
WEIGHTS = {"nik": 100, "kpj": 50, "name_birth": 20}


@dataclass
class Candidate:
    """One worker the payment may belong to, with why."""

    worker: Worker
    evidence: list[str] = field(default_factory=list)
    score: int = 0


def _birth_parts(payment: Payment) -> tuple[int, int, int] | None:
    """(day, month, two-digit year) the payment's NIK encodes, or None when it encodes none."""
    if not payment.nik_encrypted:
        return None
    try:
        facts = nik_facts(decrypt_text(payment.nik_encrypted))
    except ValueError:
        return None
    return facts.day, facts.month, facts.year2


def _bpjs_names(payment: Payment) -> set[str]:
    """The names BPJS's participant extracts give for the payment's NIK or KPJ."""
    match = Q(nik_hash=payment.nik_hash) | (Q(kpj=payment.kpj) if payment.kpj else Q(pk__in=[]))
    names = BpjsParticipant.objects.filter(match).exclude(nama="").values_list("nama", flat=True)
    return {name_key(n) for n in names}


def _same_birth(worker: Worker, birth: tuple[int, int, int]) -> bool:
    born: datetime.date = worker.tanggal_lahir
    return (born.day, born.month, born.year % 100) == birth


def candidates_for(user: User, item: ReconciliationItem) -> list[Candidate]:
    """Workers in the user's area an unmatched payment may belong to, best first."""
    if item.kind != ItemKind.UNMATCHED_PAYMENT or item.payment_id is None:
        return []
    payment = Payment.objects.get(pk=item.payment_id)
    scoped = workers_for(user).select_related("lingkungan")
    found: dict[int, Candidate] = {}

    def add(workers: list[Worker], kind: str, text: str) -> None:
        for worker in workers:
            entry = found.setdefault(worker.pk, Candidate(worker))
            entry.evidence.append(text)
            entry.score += WEIGHTS[kind]

    add(list(scoped.filter(nik_hash=payment.nik_hash)[:SHOWN]), "nik", _("Same NIK (registered after the payment)"))
    if payment.kpj:
        add(list(scoped.filter(kpj=payment.kpj)[:SHOWN]), "kpj", _("Same KPJ"))
    birth, names = _birth_parts(payment), _bpjs_names(payment)
    if birth is not None and names:
        day, month, _year2 = birth
        same_name = scoped.filter(name_key__in=names, tanggal_lahir__day=day, tanggal_lahir__month=month)
        matches = [w for w in same_name[: SHOWN * 5] if _same_birth(w, birth)]
        add(matches[:SHOWN], "name_birth", _("Same name as at BPJS and the birth date in the NIK"))
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.worker.tanggal_daftar, c.worker.pk))
    return ranked[:SHOWN]
