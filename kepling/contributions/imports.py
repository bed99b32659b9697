"""Applying a BPJS payment extract: validate every row, keep every rejected row's reason, merge on `referensi`.

A payment for a NIK the registry does not know is stored (worker empty) for reconciliation,
never dropped. A row whose reference is already in the ledger with the same content counts as
already present, so a file applied twice changes nothing the second time.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.contributions.ledger import refresh_after_ledger_change
from kepling.contributions.models import Payment
from kepling.core import audit
from kepling.core.crypto import encrypt_text, lookup_hash, mask_nik
from kepling.core.periods import add_months, month_start
from kepling.core.tabular import ImportResult, RowRejectedError, open_table, parse_date, parse_month, parse_rupiah
from kepling.workers.models import Worker

PAYMENT_COLUMNS = ["nik", "periode", "jumlah", "tanggal_bayar", "referensi"]
PAYMENT_OPTIONAL = ["kpj"]
MAX_ADVANCE_MONTHS = 12
CHUNK = 5000
EARLIEST_PAYMENT = datetime.date(2015, 7, 1)


@dataclass(frozen=True)
class PaymentRow:
    row: int
    nik: str
    kpj: str
    periode: datetime.date
    jumlah: int
    tanggal_bayar: datetime.date
    referensi: str


def _field(problems: list[tuple[str, str]], column: str, parse: object, text: str) -> object:
    try:
        return parse(text)  # type: ignore[operator]
    except ValueError as exc:
        problems.append((column, str(exc)))
        return None


def parse_payment_row(number: int, record: dict[str, str], today: datetime.date) -> PaymentRow:
    """Check one row of an extract; raises RowRejectedError with every problem found."""
    problems: list[tuple[str, str]] = []
    nik = re.sub(r"\s", "", record.get("nik", ""))
    if not re.fullmatch(r"\d{16}", nik):
        problems.append(("nik", _("NIK must be 16 digits.")))
    kpj = re.sub(r"\s", "", record.get("kpj", ""))
    if kpj and not re.fullmatch(r"\d{11}", kpj):
        problems.append(("kpj", _("KPJ must be 11 digits (or left empty).")))
    referensi = record.get("referensi", "").strip()
    if not referensi:
        problems.append(("referensi", _("The payment reference is empty.")))
    elif len(referensi) > 60:
        problems.append(("referensi", _("The payment reference is longer than 60 characters.")))
    periode = _field(problems, "periode", parse_month, record.get("periode", ""))
    jumlah = _field(problems, "jumlah", parse_rupiah, record.get("jumlah", ""))
    paid_on = _field(problems, "tanggal_bayar", parse_date, record.get("tanggal_bayar", ""))
    if isinstance(jumlah, int) and jumlah <= 0:
        problems.append(("jumlah", _("The amount must be more than zero; corrections are made as reversals.")))
    if isinstance(paid_on, datetime.date):
        if paid_on > today:
            problems.append(("tanggal_bayar", _("The payment date is in the future.")))
        elif paid_on < EARLIEST_PAYMENT:
            problems.append(("tanggal_bayar", _("The payment date is before the BPU program existed.")))
    if (
        isinstance(periode, datetime.date)
        and isinstance(paid_on, datetime.date)
        and periode > add_months(month_start(paid_on), MAX_ADVANCE_MONTHS)
    ):
        problems.append(
            (
                "periode",
                _("The month is more than %(n)d months after the payment date.") % {"n": MAX_ADVANCE_MONTHS},
            )
        )
    if problems:
        raise RowRejectedError(problems)
    assert isinstance(periode, datetime.date) and isinstance(jumlah, int) and isinstance(paid_on, datetime.date)
    return PaymentRow(number, nik, kpj, periode, jumlah, paid_on, referensi)


def _same(stored: Payment, row: PaymentRow, nik_hash: str) -> bool:
    return (stored.nik_hash, stored.periode, stored.jumlah, stored.tanggal_bayar) == (
        nik_hash,
        row.periode,
        row.jumlah,
        row.tanggal_bayar,
    )


def _chunks(rows: Iterator[PaymentRow]) -> Iterator[list[PaymentRow]]:
    chunk: list[PaymentRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class PaymentImport:
    """One application of one extract file."""

    def __init__(
        self, *, by: User | None, dry_run: bool, source: str, progress: Callable[[int], None] | None = None
    ) -> None:
        self.by, self.dry_run, self.source = by, dry_run, source
        self.progress = progress
        self.result = ImportResult()
        self.batch = uuid.uuid4().hex
        self.seen: dict[str, int] = {}
        self.touched_workers: set[int] = set()
        self.earliest: datetime.date | None = None

    def valid_rows(self, path: Path) -> Iterator[PaymentRow]:
        table = open_table(path, required=PAYMENT_COLUMNS, optional=PAYMENT_OPTIONAL)
        today = timezone.localdate()
        for number, record in table.rows():
            self.result.rows += 1
            try:
                row = parse_payment_row(number, record, today)
            except RowRejectedError as rejected:
                self.result.reject(number, rejected.errors)
                continue
            first = self.seen.get(row.referensi)
            if first is not None:
                self.result.reject(
                    number,
                    [
                        (
                            "referensi",
                            _("Reference %(ref)s already appears in row %(row)d.")
                            % {"ref": row.referensi, "row": first},
                        )
                    ],
                )
                continue
            self.seen[row.referensi] = number
            yield row

    def apply_chunk(self, rows: list[PaymentRow]) -> None:
        hashes = {r.nik: lookup_hash(r.nik) for r in rows}
        stored = {p.referensi: p for p in Payment.objects.filter(referensi__in=[r.referensi for r in rows])}
        workers = dict(Worker.objects.filter(nik_hash__in=set(hashes.values())).values_list("nik_hash", "id"))
        kelurahan = dict(Worker.objects.filter(nik_hash__in=set(hashes.values())).values_list("id", "kelurahan_id"))
        new: list[Payment] = []
        for row in rows:
            nik_hash = hashes[row.nik]
            existing = stored.get(row.referensi)
            if existing is not None:
                if _same(existing, row, nik_hash):
                    self.result.already_present += 1
                else:
                    self.result.reject(
                        row.row,
                        [
                            (
                                "referensi",
                                _("Reference %(ref)s is already in the ledger for a different payment.")
                                % {"ref": row.referensi},
                            )
                        ],
                    )
                continue
            worker_id = workers.get(nik_hash)
            new.append(
                Payment(
                    worker_id=worker_id,
                    nik_hash=nik_hash,
                    nik_encrypted="" if worker_id else encrypt_text(row.nik),
                    nik_masked=mask_nik(row.nik),
                    kpj=row.kpj,
                    periode=row.periode,
                    jumlah=row.jumlah,
                    tanggal_bayar=row.tanggal_bayar,
                    referensi=row.referensi,
                    kelurahan_id=kelurahan.get(worker_id) if worker_id else None,
                    import_batch=self.batch,
                    created_by=self.by,
                )
            )
            if worker_id:
                self.touched_workers.add(worker_id)
            self.earliest = min(filter(None, [self.earliest, row.tanggal_bayar]))
        self.result.applied += len(new)
        if not self.dry_run:
            Payment.objects.bulk_create(new, batch_size=CHUNK)

    def run(self, path: Path) -> ImportResult:
        with transaction.atomic():
            for chunk in _chunks(self.valid_rows(path)):
                self.apply_chunk(chunk)
                if self.progress is not None:
                    self.progress(self.result.rows)
            if self.dry_run:
                return self.result
            if self.touched_workers and self.earliest:
                refresh_after_ledger_change(self.touched_workers, self.earliest)
            if self.result.applied:
                audit.record(
                    actor=self.by,
                    action="payments_imported",
                    object_type="import",
                    object_id=self.batch,
                    new=self.result.as_dict() | {"errors": len(self.result.errors)},
                    note=self.source,
                )
        return self.result


def import_payments_file(
    path: str | Path,
    *,
    by: User | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Apply a BPJS payment extract (CSV or XLSX); see the module docstring for the rules.

    `progress`, when given, is called with the number of rows read so far after each chunk.
    """
    file_path = Path(path)
    return PaymentImport(by=by, dry_run=dry_run, source=file_path.name, progress=progress).run(file_path)
