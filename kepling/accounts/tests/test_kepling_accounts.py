import pytest
from django.contrib.auth.hashers import identify_hasher
from django.utils import translation

from kepling.accounts.actions import (
    ONE_TIME_PASSWORD_ALPHABET,
    create_kepling_account,
    normalise_phone,
    one_time_password,
    update_contact,
)
from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def test_one_time_passwords_are_long_readable_and_random():
    passwords = {one_time_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) >= 12
        assert set(password.replace("-", "")) <= set(ONE_TIME_PASSWORD_ALPHABET)
    assert not set("0o1li") & set(ONE_TIME_PASSWORD_ALPHABET)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(061) 4512345", "+62614512345"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "not a phone", "0812", "+1 202"])
def test_invalid_phone_numbers_are_refused(text):
    with pytest.raises(ValueError, match="not a valid phone number"):
        normalise_phone(text)


def test_create_kepling_account(admin_kota):
    user, password = create_kepling_account(
        by=admin_kota, username="budi", full_name="Budi Santoso", phone="0812 3456 7890"
    )
    user.refresh_from_db()
    assert (user.role, user.full_name, user.phone) == (Role.KEPLING, "Budi Santoso", "+6281234567890")
    assert user.must_change_password and user.wilayah is None
    assert user.check_password(password) and password not in user.password
    assert identify_hasher(user.password)
    entry = AuditLog.objects.get(action="account_created")
    assert entry.actor == admin_kota and entry.object_id == str(user.pk)
    assert entry.new_values["username"] == "budi" and password not in str(entry.new_values)


def test_username_taken_in_any_case_is_refused(admin_kota):
    create_kepling_account(by=admin_kota, username="budi", full_name="Budi", phone="081234567890")
    with pytest.raises(ValueError, match="taken"):
        create_kepling_account(by=admin_kota, username="BUDI", full_name="Budi", phone="081234567890")
    assert User.objects.filter(username__iexact="budi").count() == 1


def test_invalid_phone_creates_nothing(admin_kota):
    with pytest.raises(ValueError):
        create_kepling_account(by=admin_kota, username="budi", full_name="Budi", phone="123")
    assert not User.objects.filter(username="budi").exists()
    assert not AuditLog.objects.filter(action="account_created").exists()


def test_update_contact_audits_only_changes(admin_kota, kepling_user):
    assert update_contact(by=admin_kota, user=kepling_user, full_name="Ani", phone="081234567890")
    assert not update_contact(by=admin_kota, user=kepling_user, full_name="Ani", phone="+6281234567890")
    entry = AuditLog.objects.get(action="account_updated")
    assert entry.new_values == {"full_name": "Ani", "phone": "+6281234567890"}
