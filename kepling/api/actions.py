"""Creating and revoking API tokens; each is one transaction with its audit row."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.accounts.permissions import may_manage_accounts
from kepling.api.models import ApiToken
from kepling.core import audit

KEY_PREFIX = "kpl_"
PREFIX_LENGTH = 12
NAME_MAX = 100


def hash_key(key: str) -> str:
    """The stored form of a key (keys are 32 random bytes, so a plain SHA-256 is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


def may_manage_tokens_of(by: User, owner: User) -> bool:
    """Users manage their own tokens; the city administrator manages everyone's."""
    return by.pk == owner.pk or may_manage_accounts(by)


@transaction.atomic
def create_api_token(*, by: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user` and its plain key (shown once, never stored)."""
    if by is not None and not may_manage_tokens_of(by, user):
        raise PermissionDenied(_("You may only create API tokens for yourself."))
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise ValueError(_("A token needs a name of 1 to %(max)d characters.") % {"max": NAME_MAX})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        created_by=by if by is not None and by.pk else None,
    )
    audit.record(
        actor=by,
        action="api_token_created",
        object_type="api_token",
        object_id=token.pk,
        new={"user": user.username, "name": name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, by: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking a revoked token changes nothing."""
    if by is not None and not may_manage_tokens_of(by, token.user):
        raise PermissionDenied(_("You may only revoke your own API tokens."))
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit.record(
        actor=by,
        action="api_token_revoked",
        object_type="api_token",
        object_id=locked.pk,
        old={"revoked_at": None},
        new={"user": locked.user.username, "name": locked.name, "revoked_at": locked.revoked_at},
    )
    token.revoked_at = locked.revoked_at
    return locked
