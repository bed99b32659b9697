"""Importing Kepling: their accounts (a one-time password each) and their terms in office."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from kepling.accounts.actions import create_kepling_account, normalise_phone, update_contact
from kepling.accounts.models import Role, User
from kepling.core.tabular import ImportResult, RowRejectedError
from kepling.regions.actions import TermConflictError, start_kepling_term
from kepling.regions.imports.common import RowCheck, run_import
from kepling.regions.models import LINGKUNGAN, KeplingTerm, Wilayah
from kepling.regions.queries import level_names


@dataclass(frozen=True)
class Credential:
    """One line of the credentials sheet handed to a new Kepling."""

    username: str
    full_name: str
    lingkungan_kode: str
    lingkungan_nama: str
    password: str


@dataclass
class KeplingImportResult(ImportResult):
    """The import counts plus the one-time passwords of the accounts this run created."""

    credentials: list[Credential] = field(default_factory=list)


@dataclass
class _KeplingRow:
    username: str
    full_name: str
    phone: str
    lingkungan: Wilayah
    start: datetime.date


@dataclass
class _KeplingFile:
    by: User | None
    result: KeplingImportResult
    names: dict[int, str]
    seen: dict[str, int] = field(default_factory=dict)

    def check_username(self, check: RowCheck, number: int, username: str) -> None:
        if not username:
            check.add("username", gettext("The username is empty."))
            return
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            message = gettext(
                "'%(username)s' is not a valid username: use letters, digits and @ . + - _ only."
            )
            check.add("username", message, username=username)
        check.unique(self.seen, username.lower(), number, "username")

    def check_phone(self, check: RowCheck, text: str) -> str:
        if not text.strip():
            check.add("no_hp", gettext("The phone number is empty."))
            return ""
        try:
            return normalise_phone(text)
        except ValueError as exc:
            check.add("no_hp", str(exc))
            return ""

    def check_lingkungan(self, check: RowCheck, kode: str) -> Wilayah | None:
        lingkungan = Wilayah.objects.filter(kode=kode).first()
        if lingkungan is None:
            check.add("kode_lingkungan", gettext("Unknown lingkungan code '%(kode)s'."), kode=kode)
        elif lingkungan.level != LINGKUNGAN:
            message = gettext(
                "%(kode)s is a %(found)s, not a lingkungan: a Kepling serves in a lingkungan."
            )
            check.add("kode_lingkungan", message, kode=kode, found=self.names[lingkungan.level])
            return None
        return lingkungan

    def check_row(self, number: int, record: dict[str, str]) -> _KeplingRow:
        check = RowCheck()
        username = record["username"].strip()
        self.check_username(check, number, username)
        full_name = check.name(record)
        phone = self.check_phone(check, record["no_hp"])
        lingkungan = self.check_lingkungan(check, record["kode_lingkungan"].strip())
        start = check.date(record, "mulai_jabatan")
        check.finish()
        assert lingkungan is not None and start is not None
        return _KeplingRow(username, full_name, phone, lingkungan, start)

    def apply(self, number: int, record: dict[str, str]) -> str:
        row = self.check_row(number, record)
        existing = User.objects.filter(username__iexact=row.username).first()
        if existing is not None and existing.role != Role.KEPLING:
            message = gettext(
                "The username '%(username)s' belongs to an account that is not a "
                "Kepling (%(role)s); choose another username."
            )
            role = existing.get_role_display() or gettext("no role")
            raise RowRejectedError(
                [("username", message % {"username": existing.username, "role": role})]
            )
        try:
            with transaction.atomic():
                if existing is None:
                    return self.create(row)
                return self.update(existing, row)
        except TermConflictError as exc:
            raise RowRejectedError([("mulai_jabatan", str(exc))]) from exc

    def create(self, row: _KeplingRow) -> str:
        user, password = create_kepling_account(
            by=self.by, username=row.username, full_name=row.full_name, phone=row.phone
        )
        start_kepling_term(by=self.by, kepling=user, lingkungan=row.lingkungan, start=row.start)
        self.result.credentials.append(
            Credential(
                row.username, row.full_name, row.lingkungan.kode, row.lingkungan.nama, password
            )
        )
        return "created"

    def update(self, user: User, row: _KeplingRow) -> str:
        """An existing Kepling gets no new password: only their name, phone and term may change."""
        changed = update_contact(by=self.by, user=user, full_name=row.full_name, phone=row.phone)
        terms = KeplingTerm.objects.filter(kepling=user, lingkungan=row.lingkungan, start=row.start)
        if terms.exists():
            return "updated" if changed else "unchanged"
        start_kepling_term(by=self.by, kepling=user, lingkungan=row.lingkungan, start=row.start)
        return "updated"


def import_kepling(path: str | Path, *, by: User | None) -> KeplingImportResult:
    """Create Kepling accounts with a one-time password each, and their terms in office."""
    result = KeplingImportResult()
    kepling_file = _KeplingFile(by=by, result=result, names=level_names())
    run_import(
        path,
        required=["username", "nama", "no_hp", "kode_lingkungan", "mulai_jabatan"],
        optional=[],
        handle=kepling_file.apply,
        result=result,
    )
    return result
