"""Applying a BPJS payment extract: validate every row, keep every rejected row's reason, merge on `referensi`.

A payment for a NIK the registry does not know is stored (worker empty) for reconciliation,
never dropped. A row whose reference is already in the ledger with the same content counts as
already present, so a file applied twice changes nothing the second time.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.contributions.fastpath import StagedPayments, conflict_message
from kepling.contributions.held import (
    apply_held_cancellations,
    cancellation_problem,
    hold_cancellation,
    same_held,
)
from kepling.contributions.ledger import refresh_after_ledger_change, reverse_payment
from kepling.contributions.models import HeldCancellation, HeldProblem, Payment
from kepling.contributions.summaries import request_refresh
from kepling.core import audit
from kepling.core.crypto import encrypt_text, lookup_hash, mask_nik
from kepling.core.periods import add_months, month_start
from kepling.core.tabular import (
    ImportResult,
    RowRejectedError,
    TabularFile,
    cell_text,
    open_table,
    parse_date,
    parse_month,
    parse_rupiah,
)
from kepling.workers.models import Worker

PAYMENT_COLUMNS = ["nik", "periode", "jumlah", "tanggal_bayar", "referensi"]
PAYMENT_OPTIONAL = ["kpj", "jenis", "referensi_asal"]
PAYMENT_KINDS = {"": "bayar", "bayar": "bayar", "batal": "batal"}
MAX_ADVANCE_MONTHS = 12
CHUNK = 5000
EARLIEST_PAYMENT = datetime.date(2015, 7, 1)
# Parsed values are remembered per distinct text; a garbage file must not grow these forever.
MEMO_LIMIT = 200_000

_WHITESPACE = re.compile(r"\s")
_NIK_SHAPE = re.compile(r"\d{16}", re.ASCII)
_KPJ_SHAPE = re.compile(r"\d{11}", re.ASCII)

Problems = list[tuple[str, str]]


class PaymentRow(NamedTuple):
    row: int
    nik: str
    kpj: str
    periode: datetime.date
    jumlah: int
    tanggal_bayar: datetime.date
    referensi: str
    nik_hash: str = ""


@dataclass
class PaymentImportResult(ImportResult):
    """The contract's import counts, plus the cancellations held for a payment not in the ledger yet.

    `held`: `batal` rows of this file kept until the payment they cancel arrives (not in
    `applied`). `held_applied`: cancellations held earlier that this file's payments released.
    """

    held: int = 0
    held_applied: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "held": self.held, "held_applied": self.held_applied}


class _Values(NamedTuple):
    """The checked month, amount and payment date of a row, or what is wrong with them."""

    problems: tuple[tuple[str, str], ...]
    periode: datetime.date | None
    jumlah: int | None
    tanggal_bayar: datetime.date | None


def _field(problems: Problems, column: str, parse: object, text: str) -> object:
    try:
        return parse(text)  # type: ignore[operator]
    except ValueError as exc:
        problems.append((column, str(exc)))
        return None


def _clean_nik(text: str) -> tuple[str, tuple[str, str] | None]:
    nik = _WHITESPACE.sub("", text)
    return nik, None if _NIK_SHAPE.fullmatch(nik) else ("nik", _("NIK must be 16 digits."))


def _clean_kpj(text: str) -> tuple[str, tuple[str, str] | None]:
    kpj = _WHITESPACE.sub("", text) if text else ""
    if kpj and not _KPJ_SHAPE.fullmatch(kpj):
        return kpj, ("kpj", _("KPJ must be 11 digits (or left empty)."))
    return kpj, None


def _referensi_problem(referensi: str) -> tuple[str, str] | None:
    if not referensi:
        return ("referensi", _("The payment reference is empty."))
    if len(referensi) > 60:
        return ("referensi", _("The payment reference is longer than 60 characters."))
    return None


def _values(periode_text: str, jumlah_text: str, paid_on_text: str, today: datetime.date) -> _Values:
    """Check the month, amount and payment date of a row together (the month depends on the date)."""
    problems: Problems = []
    periode = _field(problems, "periode", parse_month, periode_text)
    jumlah = _field(problems, "jumlah", parse_rupiah, jumlah_text)
    paid_on = _field(problems, "tanggal_bayar", parse_date, paid_on_text)
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
    return _Values(
        tuple(problems),
        periode if isinstance(periode, datetime.date) else None,
        jumlah if isinstance(jumlah, int) else None,
        paid_on if isinstance(paid_on, datetime.date) else None,
    )


def parse_payment_row(number: int, record: dict[str, str], today: datetime.date) -> PaymentRow:
    """Check one row of an extract; raises RowRejectedError with every problem found."""
    nik, nik_problem = _clean_nik(record.get("nik", ""))
    kpj, kpj_problem = _clean_kpj(record.get("kpj", ""))
    referensi = record.get("referensi", "").strip()
    values = _values(record.get("periode", ""), record.get("jumlah", ""), record.get("tanggal_bayar", ""), today)
    problems = [p for p in (nik_problem, kpj_problem, _referensi_problem(referensi)) if p] + list(values.problems)
    if problems:
        raise RowRejectedError(problems)
    assert values.periode is not None and values.jumlah is not None and values.tanggal_bayar is not None
    return PaymentRow(number, nik, kpj, values.periode, values.jumlah, values.tanggal_bayar, referensi)


class _Memo(dict[str, tuple[str, tuple[str, str] | None]]):
    """Cleaned text per raw text, up to MEMO_LIMIT entries."""

    def __init__(self, clean: Callable[[str], tuple[str, tuple[str, str] | None]]) -> None:
        super().__init__()
        self.clean = clean

    def __missing__(self, text: str) -> tuple[str, tuple[str, str] | None]:
        found = self.clean(text)
        if len(self) < MEMO_LIMIT:
            self[text] = found
        return found


class RowChecker:
    """`parse_payment_row` for a whole file: the same rules, each distinct text checked once.

    Extracts repeat the same months, amounts, dates and NIKs on many rows, so the results per
    distinct text are remembered, and each NIK is hashed once.
    """

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self._niks = _Memo(_clean_nik)
        self._kpjs = _Memo(_clean_kpj)
        self._values: dict[tuple[str, str, str], _Values] = {}
        self._hashes: dict[str, str] = {}
        self._hmac = hmac.new(settings.NIK_LOOKUP_KEY.encode(), digestmod=hashlib.sha256)

    def nik_hash(self, nik: str) -> str:
        """`lookup_hash(nik)`, remembered."""
        found = self._hashes.get(nik)
        if found is None:
            digest = self._hmac.copy()
            digest.update(nik.encode())
            found = digest.hexdigest()
            if len(self._hashes) < MEMO_LIMIT:
                self._hashes[nik] = found
        return found

    def check(self, number: int, texts: tuple[str, str, str, str, str, str]) -> PaymentRow | Problems:
        """A valid row, or every problem found in it (in the order `parse_payment_row` reports them)."""
        nik_text, kpj_text, periode_text, jumlah_text, paid_on_text, referensi_text = texts
        nik, nik_problem = self._niks[nik_text]
        kpj, kpj_problem = self._kpjs[kpj_text] if kpj_text else ("", None)
        referensi = referensi_text.strip()
        referensi_problem = _referensi_problem(referensi) if not referensi or len(referensi) > 60 else None
        value_key = (periode_text, jumlah_text, paid_on_text)
        values = self._values.get(value_key)
        if values is None:
            values = _values(periode_text, jumlah_text, paid_on_text, self.today)
            if len(self._values) < MEMO_LIMIT:
                self._values[value_key] = values
        if nik_problem or kpj_problem or referensi_problem or values.problems:
            found = [p for p in (nik_problem, kpj_problem, referensi_problem) if p]
            return found + list(values.problems)
        assert values.periode is not None and values.jumlah is not None and values.tanggal_bayar is not None
        return PaymentRow(
            number, nik, kpj, values.periode, values.jumlah, values.tanggal_bayar, referensi, self.nik_hash(nik)
        )


def _column_texts(
    table: TabularFile,
) -> Iterator[tuple[int, tuple[str, str, str, str, str, str], tuple[str, str]]]:
    """(row number, the payment columns as text, `jenis` and `referensi_asal`) per non-blank row."""
    order = ("nik", "kpj", "periode", "jumlah", "tanggal_bayar", "referensi", "jenis", "referensi_asal")
    nik_i, kpj_i, periode_i, jumlah_i, paid_i, ref_i, kind_i, original_i = (
        table.columns.index(c) if c in table.columns else 1_000_000 for c in order
    )

    def text(cells: list[object], i: int) -> str:
        if i >= len(cells):
            return ""
        value = cells[i]
        # Plain ASCII text is the fast path of a million-row extract; anything else is normalised.
        return value.strip() if type(value) is str and value.isascii() else cell_text(value)

    for number, cells in table.raw_rows():
        texts = (
            text(cells, nik_i),
            text(cells, kpj_i),
            text(cells, periode_i),
            text(cells, jumlah_i),
            text(cells, paid_i),
            text(cells, ref_i),
        )
        if not any(texts) and not any(cell_text(c) for c in cells):
            continue
        yield number, texts, (text(cells, kind_i).casefold(), text(cells, original_i))


def _same(stored: Payment, row: PaymentRow, nik_hash: str) -> bool:
    return (stored.nik_hash, stored.periode, stored.jumlah, stored.tanggal_bayar) == (
        nik_hash,
        row.periode,
        row.jumlah,
        row.tanggal_bayar,
    )


def _same_row(first: PaymentRow, row: PaymentRow) -> bool:
    return (first.nik, first.periode, first.jumlah, first.tanggal_bayar) == (
        row.nik,
        row.periode,
        row.jumlah,
        row.tanggal_bayar,
    )


def _repeated_message(referensi: str, first: int) -> str:
    return _("Reference %(ref)s already appears in row %(row)d.") % {"ref": referensi, "row": first}


def _problem_message(problem: HeldProblem, original_ref: str) -> str:
    if problem == HeldProblem.DIFFERENT_PAYMENT:
        return _("The NIK, month and amount must be those of payment %(ref)s, which this row cancels.") % {
            "ref": original_ref
        }
    return _("Payment %(ref)s is already cancelled.") % {"ref": original_ref}


def _kind_problem(kind: str | None) -> tuple[str, str]:
    if kind is None:
        return ("jenis", _("jenis must be bayar (a payment) or batal (a cancellation)."))
    return ("referensi_asal", _("A cancellation (batal) needs the reference of the payment it cancels."))


def _chunks(rows: Iterator[PaymentRow]) -> Iterator[list[PaymentRow]]:
    chunk: list[PaymentRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def use_staging() -> bool:
    """Whether imports are merged into the ledger in blocks by COPY and set-based SQL (PostgreSQL)."""
    return connection.vendor == "postgresql"


class PaymentImport:
    """One application of one extract file."""

    def __init__(
        self, *, by: User | None, dry_run: bool, source: str, progress: Callable[[int], None] | None = None
    ) -> None:
        self.by, self.dry_run, self.source = by, dry_run, source
        self.progress = progress
        self.result = PaymentImportResult()
        self.batch = uuid.uuid4().hex
        self.seen: dict[str, int] = {}
        self.touched_workers: set[int] = set()
        self.earliest: datetime.date | None = None
        self.staging: StagedPayments | None = None
        # Rows repeating an earlier row's reference with the same content: (row, first row).
        self.repeats: list[tuple[int, int]] = []
        # `batal` rows: each cancels an earlier payment through the ledger's reversal.
        self.reversals: list[tuple[PaymentRow, str]] = []
        # The payment rows of this file by reference (a dry run judges cancellations against them).
        self.payments: dict[str, PaymentRow] = {}

    def valid_rows(self, path: Path) -> Iterator[PaymentRow]:
        table = open_table(path, required=PAYMENT_COLUMNS, optional=PAYMENT_OPTIONAL)
        checker = RowChecker(timezone.localdate())
        result, seen = self.result, self.seen
        firsts: dict[str, PaymentRow] = {}
        for number, texts, (kind_text, original) in _column_texts(table):
            result.rows += 1
            row = checker.check(number, texts)
            kind = PAYMENT_KINDS.get(kind_text)
            if kind is None or (kind == "batal" and not original):
                problems = row if isinstance(row, list) else []
                result.reject(number, [*problems, _kind_problem(kind)])
                continue
            if isinstance(row, list):
                result.reject(number, row)
                continue
            first = seen.get(row.referensi)
            if first is not None:
                if _same_row(firsts[row.referensi], row):
                    self.repeats.append((number, first))  # the same payment twice: counted once
                else:
                    result.reject(number, [("referensi", _repeated_message(row.referensi, first))])
                continue
            seen[row.referensi] = number
            firsts[row.referensi] = row
            if kind == "batal":
                self.reversals.append((row, original))
                continue
            self.payments[row.referensi] = row
            yield row

    def count_repeats(self) -> None:
        """A repeated row shares the fate of its first occurrence: already present, unless that was rejected."""
        rejected = {e.row for e in self.result.errors}
        for number, first in self.repeats:
            if first in rejected:
                self.result.reject(
                    number, [("referensi", _("Row %(row)d with the same reference was rejected.") % {"row": first})]
                )
            else:
                self.result.already_present += 1

    def apply_reversals(self) -> None:
        """Apply the `batal` rows: each cancels the payment named in `referensi_asal` with a ledger reversal."""
        for row, original_ref in self.reversals:
            problem = self._reverse(row, original_ref)
            if problem is not None:
                self.result.reject(row.row, [problem])

    def _reverse(self, row: PaymentRow, original_ref: str) -> tuple[str, str] | None:
        nik_hash = row.nik_hash or lookup_hash(row.nik)
        stored = Payment.objects.filter(referensi=row.referensi).select_related("reverses").first()
        if stored is not None:
            same = stored.reverses is not None and stored.reverses.referensi == original_ref
            if same and (stored.nik_hash, stored.periode, -stored.jumlah, stored.tanggal_bayar) == (
                nik_hash,
                row.periode,
                row.jumlah,
                row.tanggal_bayar,
            ):
                self.result.already_present += 1
                return None
            return ("referensi", conflict_message(row.referensi))
        held = HeldCancellation.objects.filter(referensi=row.referensi).first()
        if held is not None:
            return self._held_again(held, row, original_ref, nik_hash)
        original = Payment.objects.filter(referensi=original_ref).first()
        if original is None:
            return self._hold(row, original_ref, nik_hash)
        problem = cancellation_problem(original, nik_hash=nik_hash, periode=row.periode, jumlah=row.jumlah)
        if problem is not None:
            return ("referensi_asal", _problem_message(problem, original_ref))
        self.result.applied += 1
        if not self.dry_run:
            reason = _("Cancelled by BPJS extract %(file)s, row %(row)d.") % {"file": self.source, "row": row.row}
            reverse_payment(by=self.by, payment=original, on=row.tanggal_bayar, reason=reason, referensi=row.referensi)
        return None

    def _held_again(
        self, held: HeldCancellation, row: PaymentRow, original_ref: str, nik_hash: str
    ) -> tuple[str, str] | None:
        """A cancellation row whose reference is already held: the same one again, or a conflict."""
        if same_held(
            held,
            referensi_asal=original_ref,
            nik_hash=nik_hash,
            periode=row.periode,
            jumlah=row.jumlah,
            tanggal_bayar=row.tanggal_bayar,
        ):
            self.result.already_present += 1
            return None
        return ("referensi", conflict_message(row.referensi))

    def _hold(self, row: PaymentRow, original_ref: str, nik_hash: str) -> tuple[str, str] | None:
        """The payment it cancels is not in the ledger yet: keep the cancellation until it arrives."""
        if self.dry_run and original_ref in self.payments:
            # Applied for real, this file's own payment would be in the ledger by now.
            paid = self.payments[original_ref]
            paid_hash = paid.nik_hash or lookup_hash(paid.nik)
            if (paid_hash, paid.periode, paid.jumlah) != (nik_hash, row.periode, row.jumlah):
                return ("referensi_asal", _problem_message(HeldProblem.DIFFERENT_PAYMENT, original_ref))
            self.result.applied += 1
            return None
        self.result.held += 1
        if not self.dry_run:
            hold_cancellation(
                by=self.by,
                referensi=row.referensi,
                referensi_asal=original_ref,
                nik=row.nik,
                nik_hash=nik_hash,
                kpj=row.kpj,
                periode=row.periode,
                jumlah=row.jumlah,
                tanggal_bayar=row.tanggal_bayar,
                source=_("BPJS extract %(file)s, row %(row)d") % {"file": self.source, "row": row.row},
                batch=self.batch,
            )
        return None

    def apply_chunk(self, rows: list[PaymentRow]) -> None:
        if self.staging is not None:
            self.staging.add(rows)
            return
        hashes = {r.nik: r.nik_hash or lookup_hash(r.nik) for r in rows}
        references = [r.referensi for r in rows]
        stored = {p.referensi: p for p in Payment.objects.filter(referensi__in=references)}
        # A held cancellation's reference is taken: its reversal will carry it.
        held = set(HeldCancellation.objects.filter(referensi__in=references).values_list("referensi", flat=True))
        workers = dict(Worker.objects.filter(nik_hash__in=set(hashes.values())).values_list("nik_hash", "id"))
        kelurahan = dict(Worker.objects.filter(nik_hash__in=set(hashes.values())).values_list("id", "kelurahan_id"))
        new: list[Payment] = []
        for row in rows:
            nik_hash = hashes[row.nik]
            existing = stored.get(row.referensi)
            if existing is not None or row.referensi in held:
                if existing is not None and _same(existing, row, nik_hash):
                    self.result.already_present += 1
                else:
                    self.result.reject(row.row, [("referensi", conflict_message(row.referensi))])
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

    def run(self, path: Path) -> PaymentImportResult:
        with transaction.atomic():
            if use_staging():
                self.staging = StagedPayments(self.batch, self.result, by=self.by, dry_run=self.dry_run)
            try:
                for chunk in _chunks(self.valid_rows(path)):
                    self.apply_chunk(chunk)
                    if self.progress is not None:
                        self.progress(self.result.rows)
            except BaseException:
                if self.staging is not None:
                    self.staging.abort()  # the ledger writer may still be merging: stop it first
                raise
            if self.staging is not None:
                self.staging.finish()
            if not self.dry_run:
                if self.staging is not None:
                    self.staging.refresh_coverage()
                elif self.touched_workers and self.earliest:
                    refresh_after_ledger_change(self.touched_workers, self.earliest)
            if not self.dry_run:
                # Cancellations held by earlier extracts first: they arrived before this file's own.
                self.result.held_applied = apply_held_cancellations(by=self.by)
            self.apply_reversals()
            self.count_repeats()
            # Rejections are reported in file order, whichever step found them.
            self.result.errors.sort(key=lambda e: e.row)
            if self.dry_run:
                return self.result
            # The latest payment date moves: the dates pages open on are computed ahead.
            request_refresh(pickable=True)
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
) -> PaymentImportResult:
    """Apply a BPJS payment extract (CSV or XLSX); see the module docstring for the rules.

    `progress`, when given, is called with the number of rows read so far after each chunk.
    """
    file_path = Path(path)
    return PaymentImport(by=by, dry_run=dry_run, source=file_path.name, progress=progress).run(file_path)
