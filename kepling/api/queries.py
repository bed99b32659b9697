"""Reads of API tokens: one token to manage, and the key check."""

from __future__ import annotations

from django.utils import timezone

from kepling.accounts.models import User
from kepling.accounts.permissions import may_manage_accounts
from kepling.api.actions import KEY_PREFIX, hash_key
from kepling.api.models import ApiToken


def access_token(user: User, token_id: int) -> ApiToken | None:
    """A token the user may manage (own, or any for the city administrator); None otherwise."""
    qs = ApiToken.objects.select_related("user").filter(pk=token_id)
    if not may_manage_accounts(user):
        qs = qs.filter(user=user)
    return qs.first()


def authenticate_key(key: str) -> ApiToken | None:
    """The active token holding this key, with its user, or None; notes when it was used."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__wilayah")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # One write a minute at most: the column says "recently used", not every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
