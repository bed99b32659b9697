"""Who may manage people in the app: small named checks, in one place, for views and templates.

Kept apart so they can be pointed at the central permissions module when it lands.
"""

from __future__ import annotations

from kepling.accounts.models import Role, User
from kepling.accounts.scoping import can_see


def role_of(user: User) -> str:
    # A superuser without a role (created with `createsuperuser`) works as the city administrator.
    return Role.ADMIN_KOTA if user.is_superuser else user.role


def may_reset_kepling_passwords(user: User) -> bool:
    """A Lurah for the Kepling of their kelurahan; the city administrator for every Kepling."""
    return user.is_authenticated and role_of(user) in {Role.LURAH, Role.ADMIN_KOTA}


def may_reset_password_of(user: User, kepling: User) -> bool:
    """Whether `user` may issue a new one-time password to this Kepling (in office in the user's area)."""
    if not may_reset_kepling_passwords(user) or kepling.role != Role.KEPLING or kepling.wilayah is None:
        return False
    return role_of(user) == Role.ADMIN_KOTA or can_see(user, kepling.wilayah)


def may_hand_over_lingkungan(user: User) -> bool:
    """Kepling terms (who is in office where) are the city administrator's."""
    return user.is_authenticated and role_of(user) == Role.ADMIN_KOTA
