"""API token endpoints: list, create (the key is shown once) and revoke."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from kepling.accounts.models import User
from kepling.accounts.permissions import may_manage_accounts
from kepling.api.actions import create_api_token, revoke_api_token
from kepling.api.auth import caller
from kepling.api.common import ERRORS
from kepling.api.errors import ApiError
from kepling.api.models import ApiToken
from kepling.api.queries import access_token
from kepling.api.schemas import NewTokenOut, TokenIn, TokenOut

router = Router(tags=["tokens"])


def token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        name=token.name,
        username=token.user.username,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get("", response={200: list[TokenOut], **ERRORS}, summary="API tokens")
def list_tokens(request: HttpRequest, username: Query[str | None] = None) -> list[TokenOut]:
    """Your own tokens; the city administrator sees everyone's (filter by username)."""
    user = caller(request)
    tokens = ApiToken.objects.select_related("user")
    if not may_manage_accounts(user):
        tokens = tokens.filter(user=user)
    if username:
        tokens = tokens.filter(user__username=username)
    return [token_out(t) for t in tokens]


@router.post("", response={201: NewTokenOut, **ERRORS}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[NewTokenOut]:
    """The key is in this response only; store it now. Others' tokens: city administrator only."""
    user = caller(request)
    owner = user
    if payload.username and payload.username != user.username:
        if not may_manage_accounts(user):
            raise PermissionDenied(_("You may only create API tokens for yourself."))
        found = User.objects.filter(username=payload.username, is_active=True).first()
        if found is None:
            message = _("No active user named '%(name)s'.") % {"name": payload.username}
            raise ApiError(422, "validation_error", message, [{"field": "username", "message": message}])
        owner = found
    try:
        token, key = create_api_token(by=user, user=owner, name=payload.name)
    except ValueError as exc:
        raise ApiError(422, "validation_error", str(exc), [{"field": "name", "message": str(exc)}]) from exc
    return Status(201, NewTokenOut(**token_out(token).model_dump(), key=key))


@router.delete("/{int:token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> TokenOut:
    """Your own token, or any token for the city administrator; it stops working at once."""
    user = caller(request)
    token = access_token(user, token_id)
    if token is None:
        raise Http404("token")
    return token_out(revoke_api_token(by=user, token=token))
