"""The reference scenario: Kota Medan on the day of the press report, built from individual records.

Nothing here writes a figure: the scenario decides how many synthetic workers register, pay
once or keep paying, and the status engine and summaries compute every figure from the
resulting rows like any other data. The totals chosen below are those of the press report
of 29 Oct 2025 (domain.md section 1).
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from kepling.accounts.models import Role, User
from kepling.contributions.ledger import recompute_worker_months
from kepling.contributions.models import Payment
from kepling.contributions.summaries import refresh_summaries
from kepling.contributions.tariffs import TariffBook
from kepling.core import audit
from kepling.core.bulk import insert_rows
from kepling.core.crypto import encrypt_text, lookup_hash, mask_nik
from kepling.core.periods import add_months, due_date, month_start
from kepling.demo import people
from kepling.demo.wipe import wipe_scenario_data
from kepling.regions.models import (
    KECAMATAN,
    KELURAHAN,
    LINGKUNGAN,
    KeplingTerm,
    StaleSummary,
    TargetChange,
    Wilayah,
    WilayahStatistic,
    lingkungan_ancestors,
)
from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker

PAYMENT_FIELDS = (
    "worker",
    "nik_hash",
    "nik_encrypted",
    "nik_masked",
    "kpj",
    "periode",
    "jumlah",
    "tanggal_bayar",
    "referensi",
    "kelurahan",
    "import_batch",
    "created_at",
)
DEMO_PASSWORD = "kepling-demo"
REFERENCE_DATE = datetime.date(2025, 10, 29)
LINGKUNGAN_COUNT = 2001
TARGET_EACH = 25
PROTECTED = 37_058
PAID_ONE_MONTH_ONLY = 18_152
REGISTERED = 41_380  # protected plus those registered who have not paid yet
LABOUR_FORCE = 875_743
BPJS_ACTIVE = 472_068
STATISTICS_DATE = datetime.date(2025, 9, 30)
KEPLING_CHANGED_ON = datetime.date(2025, 8, 1)
ROLE_ACCOUNTS = [
    ("admin", Role.ADMIN_KOTA, "12.71", "Admin Bagian Tata Pemerintahan"),
    ("pimpinan", Role.PIMPINAN, "12.71", "Pimpinan Kota Medan"),
    ("bpjs", Role.PETUGAS_BPJS, "12.71", "Petugas BPJS Kantor Cabang Medan Kota"),
    ("camat", Role.CAMAT, "12.71.01", "Camat Medan Kota"),
    ("lurah", Role.LURAH, "12.71.01.1001", "Lurah Pasar Baru"),
]
FIRST_KEPLING_LINGKUNGAN = "12.71.01.1001.01"


@dataclass
class DemoWorker:
    lingkungan: Wilayah
    registered: datetime.date
    quality: float
    protected: bool = False
    one_month: bool = False
    worker: Worker | None = None
    paid_months: list[datetime.date] = field(default_factory=list)


class Scenario:
    """Builds the scenario for one date and seed."""

    def __init__(self, *, as_of: datetime.date, seed: int) -> None:
        start = datetime.date.fromisoformat(settings.PROGRAM_START)
        if as_of < start + datetime.timedelta(days=45):
            raise ValueError(f"The scenario needs at least 45 days of program: choose a date after {start}.")
        self.as_of, self.start = as_of, start
        self.rng = random.Random(seed)
        self.book = TariffBook()
        self.password = make_password(DEMO_PASSWORD)
        self.quality: dict[int, float] = {}

    def build(self, report: Callable[[str], None] = lambda step: None) -> None:
        with transaction.atomic():
            report("removing the current data")
            wipe_scenario_data()
            report("the city, kecamatan and kelurahan; 2,001 lingkungan; the accounts")
            call_command("load_wilayah", stdout=StringIO())
            lingkungan = self.create_lingkungan()
            keplings = self.create_accounts(lingkungan)
            demo_workers = self.plan_workers(lingkungan)
            report(f"{len(demo_workers)} workers")
            self.create_workers(demo_workers, keplings)
            report("their payments")
            self.create_payments(demo_workers)
            report("reconciliation and decision queues, statistics")
            self.create_queues(demo_workers, keplings)
            self.create_statistics()
            report("months covered per worker")
            recompute_worker_months([d.worker.pk for d in demo_workers if d.worker], book=self.book)
            StaleSummary.objects.all().delete()
            audit.record(
                actor=None,
                action="demo_built",
                object_type="scenario",
                object_id=self.as_of,
                new={"as_of": self.as_of, "workers": len(demo_workers)},
            )
        refresh_summaries([self.as_of], pickable=True)  # the dates its pages open on, ready before asked for

    # -- the tree ---------------------------------------------------------------------------

    def _quality(self, node: Wilayah, spread: float) -> float:
        value = self.rng.gauss(0, spread)
        self.quality[node.pk] = value
        return value

    def create_lingkungan(self) -> list[Wilayah]:
        """2,001 lingkungan, 5 to 30 per kelurahan, named with Roman numerals."""
        kelurahan = list(Wilayah.objects.filter(level=KELURAHAN).order_by("kode"))
        counts = [self.rng.randint(8, 19) for _ in kelurahan]
        while sum(counts) != LINGKUNGAN_COUNT:
            i = self.rng.randrange(len(counts))
            step = 1 if sum(counts) < LINGKUNGAN_COUNT else -1
            if 5 <= counts[i] + step <= 30:
                counts[i] += step
        for kecamatan in Wilayah.objects.filter(level=KECAMATAN):
            self._quality(kecamatan, 0.35)
        nodes = []
        for kel, count in zip(kelurahan, counts, strict=True):
            for n in range(1, count + 1):
                nodes.append(
                    Wilayah(
                        kode=f"{kel.kode}.{n:02d}",
                        nama=f"Lingkungan {people.roman(n)}",
                        level=LINGKUNGAN,
                        parent=kel,
                        kota_id=kel.kota_id,
                        kecamatan_id=kel.kecamatan_id,
                        kelurahan_id=kel.pk,
                        target=TARGET_EACH,
                    )
                )
        Wilayah.objects.bulk_create(nodes, batch_size=1000)
        created = list(Wilayah.objects.filter(level=LINGKUNGAN).order_by("kode"))
        Wilayah.objects.filter(level=LINGKUNGAN).update(lingkungan_id=models_id())
        TargetChange.objects.bulk_create(
            [TargetChange(wilayah=n, old_target=None, new_target=TARGET_EACH, reason="demo") for n in created],
            batch_size=1000,
        )
        kelurahan_quality = {k.pk: self._quality(k, 0.25) for k in kelurahan}
        for node in created:
            ids = lingkungan_ancestors(node)
            base = self.quality[ids["kecamatan_id"]] + kelurahan_quality[ids["kelurahan_id"]]
            self.quality[node.pk] = base + self.rng.gauss(0, 0.45)
        return created

    # -- accounts and terms -------------------------------------------------------------------

    def _user(self, username: str, role: str, node: Wilayah, name: str, **extra: object) -> User:
        return User(
            username=username,
            password=self.password,
            role=role,
            wilayah=node,
            full_name=name,
            phone=people.phone(self.rng),
            **extra,
        )

    def create_accounts(self, lingkungan: list[Wilayah]) -> dict[int, list[tuple[User, KeplingTerm]]]:
        """The role accounts, a Kepling per lingkungan, and earlier Kepling where the office changed hands."""
        nodes = {n.kode: n for n in Wilayah.objects.filter(level__lt=LINGKUNGAN)}
        users = [self._user(u, r, nodes[k], name, is_staff=(r == Role.ADMIN_KOTA)) for u, r, k, name in ROLE_ACCOUNTS]
        plan: list[tuple[User, Wilayah, datetime.date, datetime.date | None]] = []
        for node in lingkungan:
            female = self.rng.random() < 0.3
            name = people.full_name(self.rng, female)
            username = "kepling" if node.kode == FIRST_KEPLING_LINGKUNGAN else f"kepling-{node.kode}"
            changed = self.rng.random() < 0.03 and node.kode != FIRST_KEPLING_LINGKUNGAN
            start = (
                KEPLING_CHANGED_ON
                if changed
                else datetime.date(2023, 1, 2) + datetime.timedelta(days=self.rng.randint(0, 700))
            )
            current = self._user(username, Role.KEPLING, node, name)
            users.append(current)
            plan.append((current, node, start, None))
            if node.kode == FIRST_KEPLING_LINGKUNGAN:
                # The same Kepling also signs in under the pattern every other Kepling uses.
                users.append(
                    User(
                        username=f"kepling-{node.kode}",
                        password=self.password,
                        role=Role.KEPLING,
                        wilayah=node,
                        full_name=name,
                        phone=current.phone,
                    )
                )
            if changed:
                former = self._user(
                    f"kepling-{node.kode}-lama",
                    Role.KEPLING,
                    node,
                    people.full_name(self.rng, self.rng.random() < 0.3),
                    is_active=False,
                )
                former.wilayah = None  # a Kepling whose term is over no longer sees the lingkungan
                users.append(former)
                plan.append((former, node, datetime.date(2022, 8, 1), KEPLING_CHANGED_ON - datetime.timedelta(days=1)))
        User.objects.bulk_create(users, batch_size=1000)
        saved = {u.username: u for u in User.objects.all()}
        terms = [KeplingTerm(kepling=saved[u.username], lingkungan=n, start=s, end=e) for u, n, s, e in plan]
        KeplingTerm.objects.bulk_create(terms, batch_size=1000)
        by_lingkungan: dict[int, list[tuple[User, KeplingTerm]]] = defaultdict(list)
        for term in KeplingTerm.objects.select_related("kepling"):
            by_lingkungan[term.lingkungan_id].append((term.kepling, term))
        return by_lingkungan

    # -- who registers, who pays ------------------------------------------------------------

    def _allocate(self, total: int, weights: list[float]) -> list[int]:
        """Split `total` in proportion to `weights`, exactly (largest remainder)."""
        whole = sum(weights)
        raw = [total * w / whole for w in weights]
        counts = [math.floor(r) for r in raw]
        by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        return counts

    def _registration_day(self) -> datetime.date:
        span = (self.as_of - self.start).days
        # More sign-ups early in the campaign, a steady trickle after.
        offset = int(span * (self.rng.random() ** 1.6))
        return self.start + datetime.timedelta(days=offset)

    def plan_workers(self, lingkungan: list[Wilayah]) -> list[DemoWorker]:
        """How many workers each lingkungan registers, and which of them pay once or keep paying."""
        weights = [math.exp(1.1 * self.quality[n.pk]) for n in lingkungan]
        counts = self._allocate(REGISTERED, weights)
        planned = [
            DemoWorker(node, self._registration_day(), self.quality[node.pk])
            for node, count in zip(lingkungan, counts, strict=True)
            for _ in range(count)
        ]
        span = max(1, (self.as_of - self.start).days)
        by_payment_chance = sorted(planned, key=lambda d: self.rng.random() - 0.25 * d.quality)
        for d in by_payment_chance[:PROTECTED]:
            d.protected = True
        protected = [d for d in planned if d.protected]

        def stays(d: DemoWorker) -> float:
            tenure = (self.as_of - d.registered).days / span
            return self.rng.random() + 0.35 * d.quality + 0.45 * tenure

        for d in sorted(protected, key=stays)[:PAID_ONE_MONTH_ONLY]:
            d.one_month = True
        return planned

    # -- records ------------------------------------------------------------------------------

    def create_workers(self, planned: list[DemoWorker], keplings: dict[int, list[tuple[User, KeplingTerm]]]) -> None:
        """The worker rows, credited to the Kepling in office on the registration date."""
        niks = people.NikFactory(self.rng)
        kecamatan_numbers = {n.pk: int(n.kode.split(".")[-1]) for n in Wilayah.objects.filter(level=KECAMATAN)}
        rows = []
        for d in planned:
            female = self.rng.random() < 0.42
            born = people.birth_date(self.rng, d.registered)
            nik = niks.make(kecamatan_numbers[lingkungan_ancestors(d.lingkungan)["kecamatan_id"]], born, female)
            credited = next(
                u
                for u, t in keplings[d.lingkungan.pk]
                if t.start <= d.registered and (t.end is None or t.end >= d.registered)
            )
            job, sector = people.occupation(self.rng)
            consent = timezone.make_aware(
                datetime.datetime.combine(d.registered, datetime.time(self.rng.randint(8, 17), self.rng.randint(0, 59)))
            )
            d.worker = Worker(
                nik_hash=lookup_hash(nik),
                nik_encrypted=encrypt_text(nik),
                nik_masked=mask_nik(nik),
                kpj=f"{self.rng.randint(10**10, 10**11 - 1)}" if d.protected else "",
                nama=(name := people.full_name(self.rng, female)),
                name_key=" ".join(name.casefold().split()),
                jenis_kelamin="P" if female else "L",
                tanggal_lahir=born,
                no_hp=people.phone(self.rng),
                pekerjaan=job,
                sektor=sector,
                penghasilan=1_000_000
                if self.rng.random() < 0.8
                else self.rng.choice([1_500_000, 2_000_000, 2_500_000, 3_000_000]),
                program="JKK-JKM-JHT" if self.rng.random() < 0.15 else "JKK-JKM",
                sumber_iuran=self.rng.choices(["mandiri", "donatur", "csr", "apbd"], weights=[70, 15, 12, 3])[0],
                tanggal_daftar=d.registered,
                lingkungan=d.lingkungan,
                **lingkungan_ancestors(d.lingkungan),
                credited_kepling=credited,
                registered_by=credited,
                consent_at=consent,
                consent_by=credited,
                consent_version=settings.CONSENT_TEXT_VERSION,
            )
            rows.append(d.worker)
        Worker.objects.bulk_create(rows, batch_size=2000)

    def _months_paid(self, d: DemoWorker) -> list[datetime.date]:
        first = month_start(d.registered)
        if d.one_month:
            return [first]
        newest = add_months(month_start(self.as_of), 1 if self.rng.random() < 0.06 else 0)
        available = (newest.year - first.year) * 12 + newest.month - first.month + 1
        keeps_up = self.rng.random() < 0.55 + 0.2 * d.quality
        count = available if keeps_up else self.rng.randint(2, max(2, available))
        months = [add_months(first, i) for i in range(max(2, min(count, available + 1)))]
        if len(months) >= 4 and self.rng.random() < 0.1:
            months.pop(self.rng.randrange(1, len(months) - 1))  # skipped a month and caught up later
        return months

    def _paid_on(self, month: datetime.date, not_before: datetime.date) -> datetime.date:
        """A payment day: mostly before the due date, sometimes late, never after the scenario date."""
        if self.rng.random() < 0.8:
            day = month + datetime.timedelta(days=self.rng.randint(0, max(0, (due_date(month) - month).days)))
        else:
            day = due_date(month) + datetime.timedelta(days=self.rng.randint(1, 40))
        return min(max(day, not_before), self.as_of)

    def _due(self, w: Worker, month: datetime.date) -> int:
        return self.book.due(
            month=month, program=w.program, sektor=w.sektor, sumber_iuran=w.sumber_iuran, penghasilan=w.penghasilan
        ).total

    def create_payments(self, planned: list[DemoWorker]) -> None:
        """Payment histories; a few partial payments that leave a month unpaid; payments of unknown NIKs."""
        rows: list[tuple[object, ...]] = []
        serial = 0
        for d in planned:
            w = d.worker
            assert w is not None
            months = self._months_paid(d) if d.protected else []
            last_day = d.registered
            for month in months:
                last_day = self._paid_on(month, last_day)
                serial += 1
                rows.append(self._payment(w, month, self._due(w, month), last_day, serial))
            d.paid_months = months
            if self.rng.random() < 0.04:  # a short payment for the month after the last one paid
                month = add_months(months[-1], 1) if months else month_start(d.registered)
                if month <= month_start(self.as_of):
                    serial += 1
                    short = self._due(w, month) - self.rng.choice([1_000, 5_000, 6_800])
                    rows.append(self._payment(w, month, short, max(last_day, min(due_date(month), self.as_of)), serial))
        niks = people.NikFactory(self.rng)
        for _ in range(120):
            born = datetime.date(1970, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 12_000))
            nik = niks.make(self.rng.randint(1, 21), born, self.rng.random() < 0.4)
            month = month_start(
                self.start + datetime.timedelta(days=self.rng.randint(0, (self.as_of - self.start).days))
            )
            serial += 1
            kpj = f"{self.rng.randint(10**10, 10**11 - 1)}"
            paid_on = min(due_date(month), self.as_of)
            ref = f"BPJS-DEMO-{serial:08d}"
            rows.append(
                (None, lookup_hash(nik), encrypt_text(nik), mask_nik(nik), kpj, month, 16_800, paid_on, ref, None)
            )
        now = timezone.now()
        insert_rows(Payment, PAYMENT_FIELDS, ((*row, "demo", now) for row in rows))

    def _payment(
        self, w: Worker, month: datetime.date, amount: int, day: datetime.date, serial: int
    ) -> tuple[object, ...]:
        ref = f"BPJS-DEMO-{serial:08d}"
        return (w.pk, w.nik_hash, "", w.nik_masked, w.kpj, month, amount, day, ref, w.kelurahan_id)

    # -- queues and statistics ----------------------------------------------------------------

    def create_queues(self, planned: list[DemoWorker], keplings: dict[int, list[tuple[User, KeplingTerm]]]) -> None:
        """A few attribution conflicts and likely duplicates for the Lurah's queues."""
        sample = self.rng.sample(planned, 40)
        conflicts = []
        for d in sample[:25]:
            w = d.worker
            assert w is not None
            siblings = [n for n in keplings if n != d.lingkungan.pk]
            other = self.rng.choice(siblings)
            kepling = next(u for u, t in keplings[other] if t.end is None)
            conflicts.append(
                AttributionConflict(
                    worker=w,
                    claimant=kepling,
                    claimant_lingkungan_id=other,
                    kelurahan_id=w.kelurahan_id,
                    claimed_on=min(self.as_of, w.tanggal_daftar + datetime.timedelta(days=self.rng.randint(1, 30))),
                    submitted={"nama": w.nama},
                )
            )
        AttributionConflict.objects.bulk_create(conflicts)
        duplicates = []
        for d in sample[25:]:
            w = d.worker
            assert w is not None
            twin = next(x.worker for x in planned if x.lingkungan.kelurahan_id == w.kelurahan_id and x.worker is not w)
            assert twin is not None
            duplicates.append(LikelyDuplicate(worker=w, other=twin, kelurahan_id=w.kelurahan_id))
        LikelyDuplicate.objects.bulk_create(duplicates, ignore_conflicts=True)

    def create_statistics(self) -> None:
        """The city's labour force and active participants (Sept 2025), and a plausible split per kecamatan."""
        city = Wilayah.objects.get(parent__isnull=True)
        kecamatan = list(Wilayah.objects.filter(level=KECAMATAN).order_by("kode"))
        labour = self._allocate(LABOUR_FORCE, [self.rng.uniform(0.6, 1.6) for _ in kecamatan])
        shares = [self.rng.uniform(0.47, 0.61) for _ in kecamatan]
        participants = self._allocate(BPJS_ACTIVE, [lf * s for lf, s in zip(labour, shares, strict=True)])
        rows = [
            WilayahStatistic(
                wilayah=city, per_tanggal=STATISTICS_DATE, angkatan_kerja=LABOUR_FORCE, peserta_aktif_bpjs=BPJS_ACTIVE
            )
        ]
        rows += [
            WilayahStatistic(wilayah=k, per_tanggal=STATISTICS_DATE, angkatan_kerja=lf, peserta_aktif_bpjs=min(p, lf))
            for k, lf, p in zip(kecamatan, labour, participants, strict=True)
        ]
        WilayahStatistic.objects.bulk_create(rows)


def models_id() -> object:
    """`F('id')`, so each lingkungan points to itself at its own level."""
    from django.db.models import F

    return F("id")


def build_demo(
    *, as_of: datetime.date = REFERENCE_DATE, seed: int = 1, report: Callable[[str], None] = lambda step: None
) -> None:
    """Replace the database's content with the reference scenario; `report` hears each step."""
    Scenario(as_of=as_of, seed=seed).build(report)


def demo_logins() -> list[tuple[str, str]]:
    """The demo accounts to print, with what each one is."""
    return [
        ("admin", "Admin kota (Bagian Tata Pemerintahan)"),
        ("pimpinan", "Pimpinan (read only)"),
        ("bpjs", "Petugas BPJS"),
        ("camat", "Camat Medan Kota (12.71.01)"),
        ("lurah", "Lurah Pasar Baru (12.71.01.1001)"),
        ("kepling", f"Kepling {FIRST_KEPLING_LINGKUNGAN}"),
        ("kepling-12.71.05.1002.03", "any Kepling: kepling-<lingkungan code>"),
    ]
