"""Writes to user accounts. Each action is one transaction and writes its audit row."""

from __future__ import annotations

import secrets

import phonenumbers
from django.db import transaction
from django.utils.translation import gettext

from kepling.accounts.models import Role, User
from kepling.core import audit

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


def normalise_phone(text: str) -> str:
    """An Indonesian phone number (`0812...`, `62812...`, `+62 812-...`) in E.164, or ValueError."""
    value = text.strip()
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(
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
    if User.objects.filter(username__iexact=username).exists():
        raise ValueError(gettext("The username '%(username)s' is taken.") % {"username": username})
    password = one_time_password()
    user = User.objects.create_user(
        username=username,
        password=password,
        role=Role.KEPLING,
        full_name=full_name,
        phone=normalise_phone(phone) if phone else "",
        must_change_password=True,
    )
    audit.record(
        actor=by,
        action="account_created",
        object_type="user",
        object_id=user.pk,
        new={
            "username": username,
            "role": Role.KEPLING.value,
            "full_name": full_name,
            "must_change_password": True,
        },
    )
    return user, password


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
