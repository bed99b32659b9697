"""Writes to user accounts. Each action is one transaction and writes its audit row."""

from __future__ import annotations

import secrets

import phonenumbers
from django.db import transaction
from django.utils.translation import gettext

from kepling.accounts.models import ROLE_LEVEL, Role, User
from kepling.core import audit
from kepling.core.errors import DomainError
from kepling.regions.models import Wilayah

# No 0/o, 1/l/i: the password is read off a printed sheet and typed on a phone.
ONE_TIME_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ONE_TIME_PASSWORD_GROUPS = 3
ONE_TIME_PASSWORD_GROUP_LENGTH = 4


def one_time_password() -> str:
    """A random, readable 14-character password in three groups of four, e.g. `k7dm-x3ta-9qhe`."""
    groups = (
        "".join(
            secrets.choice(ONE_TIME_PASSWORD_ALPHABET)
            for _ in range(ONE_TIME_PASSWORD_GROUP_LENGTH)
        )
        for _ in range(ONE_TIME_PASSWORD_GROUPS)
    )
    return "-".join(groups)


class AccountError(DomainError, ValueError):
    """An account change the rules refuse (a taken username, a bad phone, a role in the wrong area).

    Also a ValueError, which the imports and pages written before it still catch.
    """


def normalise_phone(text: str) -> str:
    """An Indonesian phone number (`0812...`, `62812...`, `+62 812-...`) in E.164, or ValueError."""
    value = text.strip()
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise AccountError(
            gettext(
                "'%(value)s' is not a valid phone number; write it like 081234567890 or "
                "+6281234567890"
            )
            % {"value": text}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@transaction.atomic
def create_kepling_account(
    *, by: User | None, username: str, full_name: str, phone: str
) -> tuple[User, str]:
    """Create a Kepling account with a one-time password it must change at first login."""
    return _create_account(by=by, username=username, full_name=full_name, phone=phone, role=Role.KEPLING, wilayah=None)


def _create_account(
    *, by: User | None, username: str, full_name: str, phone: str, role: Role, wilayah: Wilayah | None
) -> tuple[User, str]:
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(gettext("The username '%(username)s' is taken.") % {"username": username})
    password = one_time_password()
    user = User.objects.create_user(
        username=username,
        password=password,
        role=role,
        wilayah=wilayah,
        full_name=full_name,
        phone=normalise_phone(phone) if phone else "",
        must_change_password=True,
    )
    new = {"username": username, "role": role.value, "full_name": full_name, "must_change_password": True}
    if wilayah is not None:
        new["wilayah"] = wilayah.kode
    audit.record(actor=by, action="account_created", object_type="user", object_id=user.pk, new=new)
    return user, password


def _check_role_area(role: Role, wilayah: Wilayah) -> None:
    """Each role is bound to a node of its own level (a Lurah to a kelurahan, Admin kota to the city)."""
    if role == Role.KEPLING:
        raise AccountError(gettext("Kepling accounts are given a lingkungan through a Kepling term."))
    if wilayah.level != ROLE_LEVEL[role]:
        raise AccountError(
            gettext("A %(role)s is bound to an area of another level than %(area)s.")
            % {"role": role.label, "area": f"{wilayah.kode} {wilayah.nama}"}
        )


@transaction.atomic
def create_official_account(
    *, by: User, username: str, full_name: str, phone: str, role: Role, wilayah: Wilayah
) -> tuple[User, str]:
    """Create a non-Kepling account bound to an area of its role's level, with a one-time password."""
    _check_role_area(role, wilayah)
    return _create_account(by=by, username=username, full_name=full_name, phone=phone, role=role, wilayah=wilayah)


@transaction.atomic
def change_role_and_area(*, by: User, user: User, role: Role, wilayah: Wilayah) -> bool:
    """Move a non-Kepling official to another role or area; returns whether anything changed."""
    if user.role == Role.KEPLING:
        raise AccountError(gettext("A Kepling changes lingkungan through a hand-over, not here."))
    if user.pk == by.pk:
        raise AccountError(gettext("You cannot change your own role or area: ask another city administrator."))
    _check_role_area(role, wilayah)
    before = {"role": user.role, "wilayah": user.wilayah.kode if user.wilayah else None}
    old, new = audit.changed_fields(before, {"role": role.value, "wilayah": wilayah.kode})
    if not new:
        return False
    user.role, user.wilayah = role, wilayah
    user.save(update_fields=["role", "wilayah"])
    audit.record(actor=by, action="account_updated", object_type="user", object_id=user.pk, old=old, new=new)
    return True


@transaction.atomic
def set_account_active(*, by: User, user: User, active: bool) -> bool:
    """Deactivate (no sign-in, nothing else changes) or reactivate an account; returns whether it changed."""
    if not active and user.pk == by.pk:
        raise AccountError(gettext("You cannot deactivate your own account."))
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=by,
        action="account_reactivated" if active else "account_deactivated",
        object_type="user",
        object_id=user.pk,
        old={"is_active": not active},
        new={"is_active": active},
    )
    return True


@transaction.atomic
def update_contact(*, by: User | None, user: User, full_name: str, phone: str) -> bool:
    """Change a user's name and phone; returns whether anything changed."""
    after = {"full_name": full_name, "phone": normalise_phone(phone) if phone else ""}
    old, new = audit.changed_fields({"full_name": user.full_name, "phone": user.phone}, after)
    if not new:
        return False
    user.full_name, user.phone = after["full_name"], after["phone"]
    user.save(update_fields=["full_name", "phone"])
    audit.record(
        actor=by, action="account_updated", object_type="user", object_id=user.pk, old=old, new=new
    )
    return True


@transaction.atomic
def issue_one_time_password(*, by: User, user: User) -> str:
    """Give a Kepling a new one-time password (shown once); they must change it at their next sign-in."""
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=by, action="one_time_password_issued", object_type="user", object_id=user.pk,
        new={"username": user.username, "must_change_password": True},
    )
    return password
