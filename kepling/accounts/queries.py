"""Reads of accounts: the one place account lists are scoped."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.http import Http404

from kepling.accounts.models import User
from kepling.accounts.permissions import may_manage_account, may_manage_accounts
from kepling.accounts.scoping import access_wilayah, root_wilayah


def accounts_for(user: User, *, role: str = "", kode: str = "") -> QuerySet[User]:
    """Accounts the user manages, optionally of one role and under one area code (Http404 for a code not theirs).

    Accounts bound to no area (a Kepling whose term ended, an account not set up yet) belong to the city.
    """
    root = root_wilayah(user)
    if not may_manage_accounts(user) or root is None:
        return User.objects.none()
    accounts = User.objects.filter(Q(wilayah__isnull=True) | Q(**{f"wilayah__{root.ancestor_field()}": root}))
    if role:
        accounts = accounts.filter(role=role)
    if kode:
        node = access_wilayah(user, kode)
        accounts = accounts.filter(**{f"wilayah__{node.ancestor_field()}": node})
    # Accounts bound to no area (mostly Kepling whose term ended) come after those in office.
    return accounts.select_related("wilayah").order_by("role", F("wilayah__kode").asc(nulls_last=True), "username")


def access_account(user: User, account_id: int) -> User:
    """One account the user may manage, or Http404 for both 'missing' and 'not yours'."""
    account = accounts_for(user).filter(pk=account_id).first()
    if account is None or not may_manage_account(user, account):
        raise Http404("account")
    return account
