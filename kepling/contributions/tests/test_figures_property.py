"""Every stored figure equals a fresh recomputation, whatever the order records arrive in.

Hypothesis draws a small city's life: registrations (one by one and in bulk), edits of income,
program, sector and payer, moves, withdrawals and reinstatements, target changes, and BPJS
extracts with top-ups, advances, reversals (some arriving before the payment they cancel) and
payments for NIKs not (yet) registered; summaries are asked for at random dates in between. The
same events are then applied again in another order. After every step each stored summary must
equal the figures computed from scratch here (from the records only: workers, the ledger by NIK
and the tariff function), and both orders must end with the same figures and the same ledger.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kepling.contributions.figures import FIGURE_NAMES
from kepling.contributions.imports import import_payments_file
from kepling.contributions.models import HeldCancellation, LingkunganSummary, Payment, SummaryDate, WorkerMonth
from kepling.contributions.status import status_from
from kepling.contributions.tariffs import TariffBook
from kepling.core.crypto import lookup_hash
from kepling.core.periods import month_index
from kepling.reconciliation.models import ReconciliationItem
from kepling.regions.actions import set_target
from kepling.regions.models import LINGKUNGAN, StaleSummary, Wilayah
from kepling.workers import actions
from kepling.workers.bulk import register_workers_bulk
from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker
from kepling.workers.tests.builders import make_nik, worker_input

D = datetime.date
WORKERS = 4
MONTHS = [D(2026, m, 1) for m in range(1, 7)]
AMOUNTS = [8_400, 9_573, 13_400, 16_800, 26_800, 66_800]
INCOMES = [1_000_000, 1_234_500, 2_000_000]
LINGKUNGAN_USED = 3
CHECK_DATES = [D(2026, 2, 20), D(2026, 4, 30), D(2026, 7, 16), D(2026, 9, 30)]


def _day(start: D, end: D) -> st.SearchStrategy[D]:
    return st.dates(min_value=start, max_value=end)


def _nik(worker: int) -> str:
    return make_nik(D(1990, 1, 1 + worker), serial=100 + worker)


# --- the events -------------------------------------------------------------------------------------


@st.composite
def worker_chain(draw: st.DrawFn, worker: int) -> list[tuple[Any, ...]]:
    """One worker's registry events, in the order they must happen."""
    registered = draw(_day(D(2025, 12, 1), D(2026, 5, 31)))
    events: list[tuple[Any, ...]] = [
        (
            "register",
            worker,
            draw(st.integers(0, LINGKUNGAN_USED - 1)),
            registered,
            draw(st.sampled_from(INCOMES)),
            draw(st.sampled_from(["transportasi", "lainnya"])),
            draw(st.sampled_from(["action", "bulk"])),
        )
    ]
    withdrawn = False
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["edit", "move", "withdraw", "reinstate"]))
        if kind == "edit":
            field, value = draw(
                st.one_of(
                    st.tuples(st.just("penghasilan"), st.sampled_from(INCOMES)),
                    st.tuples(st.just("program"), st.sampled_from(["JKK-JKM", "JKK-JKM-JHT"])),
                    st.tuples(st.just("sektor"), st.sampled_from(["transportasi", "lainnya"])),
                    st.tuples(st.just("sumber_iuran"), st.sampled_from(["mandiri", "apbd"])),
                )
            )
            events.append(("edit", worker, field, value))
        elif kind == "move":
            events.append(("move", worker, draw(st.integers(0, LINGKUNGAN_USED - 1))))
        elif kind == "withdraw" and not withdrawn:
            on = registered + datetime.timedelta(days=draw(st.integers(0, 120)))
            events.append(("withdraw", worker, on))
            withdrawn = True
        elif kind == "reinstate" and withdrawn:
            events.append(("reinstate", worker))
            withdrawn = False
    return events


@st.composite
def extract_chain(draw: st.DrawFn, number: int) -> list[tuple[Any, ...]]:
    """One BPJS extract, and perhaps a later extract reversing some of its payments."""
    rows = []
    for i in range(draw(st.integers(1, 4))):
        worker = draw(st.integers(0, WORKERS))  # WORKERS itself: a NIK never registered
        rows.append(
            (
                worker,
                draw(st.sampled_from(MONTHS)),
                draw(st.sampled_from(AMOUNTS)),
                draw(_day(D(2025, 12, 15), D(2026, 8, 31))),
                f"P{number}-{i}",
            )
        )
    chain: list[tuple[Any, ...]] = [("extract", rows)]
    reversed_rows = [r for r in rows if draw(st.booleans()) and draw(st.booleans())]
    if reversed_rows:
        chain.append(
            (
                "reversal",
                [(*r[:3], r[3] + datetime.timedelta(days=draw(st.integers(0, 40))), r[4]) for r in reversed_rows],
            )
        )
    return chain


@st.composite
def life(draw: st.DrawFn) -> dict[str, Any]:
    """Chains of events that must keep their own order; two interleavings of them; dates asked for."""
    chains = [draw(worker_chain(w)) for w in range(WORKERS)]
    for n in range(draw(st.integers(1, 3))):
        extract = draw(extract_chain(n))
        # BPJS may send a cancellation before the payment it cancels: then the two are free to
        # arrive in either order.
        chains += [[event] for event in extract] if draw(st.booleans()) else [extract]
    # One chain per lingkungan whose target changes: the last change wins, in every order.
    for where in draw(st.sets(st.integers(0, LINGKUNGAN_USED - 1), max_size=2)):
        chains.append([("target", where, value) for value in draw(st.lists(st.integers(0, 3), min_size=1, max_size=2))])
    orders = [draw(st.randoms(use_true_random=False)) for _ in range(2)]
    asks = draw(st.lists(_day(D(2026, 1, 1), D(2026, 9, 30)), min_size=1, max_size=4))
    return {"chains": chains, "orders": [_interleave(chains, r) for r in orders], "asks": asks}


def _interleave(chains: list[list[tuple[Any, ...]]], rnd: random.Random) -> list[tuple[Any, ...]]:
    queues = [list(c) for c in chains]
    out = []
    while any(queues):
        queue = rnd.choice([q for q in queues if q])
        out.append(queue.pop(0))
    return out


# --- applying them through the product's own interfaces --------------------------------------------


class Life:
    def __init__(self, admin: Any, lingkungan: list[Wilayah], tmp: Path) -> None:
        self.admin, self.lingkungan, self.tmp = admin, lingkungan, tmp

    def worker(self, number: int) -> Worker | None:
        return Worker.objects.filter(nik_hash=lookup_hash(_nik(number))).first()

    def apply(self, event: tuple[Any, ...]) -> None:
        getattr(self, f"do_{event[0]}")(*event[1:])

    def do_register(self, number: int, where: int, day: D, income: int, sektor: str, via: str) -> None:
        data = worker_input(
            nik=_nik(number),
            tanggal_lahir=D(1990, 1, 1 + number),
            nama=f"Pekerja {number}",
            kode_lingkungan=self.lingkungan[where].kode,
            penghasilan=income,
            sektor=sektor,
            tanggal_daftar=day,
        )
        if via == "bulk":
            register_workers_bulk(by=self.admin, rows=[data], consent_given=True)
        else:
            actions.register_worker(by=self.admin, data=data, consent_given=True)

    def do_edit(self, number: int, field: str, value: Any) -> None:
        worker = self.worker(number)
        assert worker is not None
        actions.update_worker(by=self.admin, worker=worker, changes={field: value})

    def do_move(self, number: int, where: int) -> None:
        worker = self.worker(number)
        assert worker is not None
        actions.update_worker(by=self.admin, worker=worker, changes={"kode_lingkungan": self.lingkungan[where].kode})

    def do_withdraw(self, number: int, on: D) -> None:
        worker = self.worker(number)
        assert worker is not None
        actions.withdraw_worker(by=self.admin, worker=worker, on=on, reason="pindah")

    def do_reinstate(self, number: int) -> None:
        reinstate = getattr(actions, "reinstate_worker", None)
        worker = self.worker(number)
        assert worker is not None
        if reinstate is not None:
            reinstate(by=self.admin, worker=worker)

    def do_target(self, where: int, target: int) -> None:
        set_target(by=self.admin, lingkungan=self.lingkungan[where], target=target, reason="uji")

    def do_extract(self, rows: list[tuple[Any, ...]]) -> None:
        lines = ["nik,periode,jumlah,tanggal_bayar,referensi"]
        lines += [f"{_nik(w)},{m:%Y-%m},{a},{d.isoformat()},{ref}" for w, m, a, d, ref in rows]
        self._import(lines)

    def do_reversal(self, rows: list[tuple[Any, ...]]) -> None:
        lines = ["nik,periode,jumlah,tanggal_bayar,referensi,jenis,referensi_asal"]
        lines += [f"{_nik(w)},{m:%Y-%m},{a},{d.isoformat()},{ref}-B,batal,{ref}" for w, m, a, d, ref in rows]
        self._import(lines)

    def _import(self, lines: list[str]) -> None:
        path = self.tmp / "extract.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_payments_file(path, by=self.admin)

    def ask(self, day: D, where: Wilayah) -> dict[str, Any]:
        out = StringIO()
        call_command("summary", "--wilayah", where.kode, "--as-of", day.isoformat(), "--json", stdout=out)
        return json.loads(out.getvalue())  # type: ignore[no-any-return]

    def settle(self) -> None:
        """What the product does in the background after writes: its refresh job."""
        call_command("refresh_summaries", "--as-of", CHECK_DATES[-1].isoformat(), stdout=StringIO())


def wipe() -> None:
    ReconciliationItem.objects.all().delete()
    LingkunganSummary.objects.all().delete()
    SummaryDate.objects.all().delete()
    StaleSummary.objects.all().delete()
    HeldCancellation.objects.all().delete()
    WorkerMonth.objects.all().delete()
    Payment.objects.filter(reverses__isnull=False).delete()
    Payment.objects.all().delete()
    AttributionConflict.objects.all().delete()
    LikelyDuplicate.objects.all().delete()
    Worker.objects.all().delete()
    Wilayah.objects.filter(level=LINGKUNGAN).update(target=25)


# --- the figures from scratch -----------------------------------------------------------------------


def fresh_figures(as_of: D) -> dict[int, dict[str, int]]:
    """Per lingkungan, domain.md section 6 computed from workers and the ledger (matched by NIK) alone."""
    book = TariffBook()
    paid: dict[tuple[str, D], int] = defaultdict(int)
    for nik_hash, periode, amount in Payment.objects.filter(tanggal_bayar__lte=as_of).values_list(
        "nik_hash", "periode", "jumlah"
    ):
        paid[(nik_hash, periode)] += amount
    figures = {
        n.pk: dict.fromkeys(FIGURE_NAMES, 0) | {"target": n.target or 0}
        for n in Wilayah.objects.filter(level=LINGKUNGAN)
    }
    for w in Worker.objects.all():
        if w.tanggal_daftar > as_of or (w.withdrawn_on is not None and w.withdrawn_on <= as_of):
            continue
        months = [
            month_index(month)
            for (nik_hash, month), total in paid.items()
            if nik_hash == w.nik_hash
            and total
            >= book.due(
                month=month, program=w.program, sektor=w.sektor, sumber_iuran=w.sumber_iuran, penghasilan=w.penghasilan
            ).total
        ]
        status, _arrears = status_from(len(months), max(months) if months else None, as_of)
        row = figures[w.lingkungan_id]
        row["registered"] += 1
        row["protected"] += bool(months)
        row["paid_one_month_only"] += len(months) == 1
        row[status.value] += 1
    return figures


def stored_figures(as_of: D) -> dict[int, dict[str, int]]:
    return {
        row["lingkungan_id"]: {k: v for k, v in row.items() if k != "lingkungan_id"}
        for row in LingkunganSummary.objects.filter(as_of=as_of).values("lingkungan_id", "target", *FIGURE_NAMES)
    }


def check_every_stored_date(step: str) -> None:
    for as_of in SummaryDate.objects.values_list("as_of", flat=True):
        assert stored_figures(as_of) == fresh_figures(as_of), f"stored summary of {as_of} is wrong after {step}"


def run(life: Life, order: list[tuple[Any, ...]], asks: list[D], rnd: random.Random) -> dict[Any, Any]:
    wipe()
    pending = list(asks)
    for event in order:
        life.apply(event)
        if pending and rnd.random() < 0.5:
            life.ask(pending.pop(), rnd.choice(life.lingkungan))
        life.settle()
        check_every_stored_date(repr(event))
    final: dict[Any, Any] = {}
    for day in CHECK_DATES:
        for node in [*life.lingkungan, life.lingkungan[0].kota]:
            assert node is not None
            final[(day, node.kode)] = life.ask(day, node)
    life.settle()
    check_every_stored_date("the final requests")
    # The same ledger (reversals included, each dated as BPJS dated it) and nothing left waiting.
    final["ledger"] = sorted(
        Payment.objects.values_list("referensi", "jumlah", "tanggal_bayar", "reverses__referensi", "worker__nik_hash")
    )
    final["held"] = sorted(HeldCancellation.objects.values_list("referensi", "problem"))
    return final


# A few tens of examples keep the suite fast; PostgreSQL's round trips make each example dearer there.
EXAMPLES = 10 if "postgresql" in str(django_settings.DATABASES["default"]["ENGINE"]) else 25


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(story=life())
def test_stored_figures_equal_a_fresh_recomputation_in_any_order(
    story: dict[str, Any], city: Any, admin_kota: Any, tmp_path: Path
) -> None:
    lingkungan = [city.lingkungan[0], city.lingkungan[1], city.lingkungan[5]]
    player = Life(admin_kota, lingkungan, tmp_path)
    first = run(player, story["orders"][0], story["asks"], random.Random(1))
    second = run(player, story["orders"][1], list(reversed(story["asks"])), random.Random(2))
    assert first == second
