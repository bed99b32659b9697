"""People pages: a Lurah gives a Kepling a new one-time password; the city hands a lingkungan to a new Kepling."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kepling.accounts.actions import create_kepling_account, issue_one_time_password
from kepling.accounts.models import Role, User
from kepling.accounts.permissions import may_hand_over_lingkungan, may_reset_kepling_passwords, may_reset_password_of
from kepling.accounts.scoping import access_wilayah, wilayah_for
from kepling.core import audit
from kepling.core.params import area_code_param
from kepling.regions.actions import start_kepling_term
from kepling.regions.models import LINGKUNGAN

KEPLING_SHOWN = 200


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def kepling_accounts_for(user: User, kode: str = "") -> QuerySet[User]:
    """Kepling accounts in office in the user's area (optionally under one node), by lingkungan code."""
    lingkungan = wilayah_for(user).filter(level=LINGKUNGAN)
    if kode:
        node = access_wilayah(user, kode)
        lingkungan = lingkungan.filter(kode__startswith=node.kode)
    return (
        User.objects.filter(role=Role.KEPLING, is_active=True, wilayah__in=lingkungan)
        .select_related("wilayah")
        .order_by("wilayah__kode", "username")
    )


@login_required
def kepling_accounts(request: HttpRequest) -> HttpResponse:
    """The Kepling of the user's area, each with a button for a new one-time password."""
    user = _user(request)
    if not may_reset_kepling_passwords(user):
        raise PermissionDenied
    kode = area_code_param(request, "wilayah")
    accounts = kepling_accounts_for(user, kode)
    shown = list(accounts[:KEPLING_SHOWN])
    audit.record_view(actor=user, page=request.path, accounts=[account.pk for account in shown])
    context = {"accounts": shown, "total": accounts.count(), "kode": kode}
    return render(request, "accounts/kepling_accounts.html", context)


@never_cache
@login_required
@require_POST
def new_one_time_password(request: HttpRequest, user_id: int) -> HttpResponse:
    """Issue the password and show it once (never stored in clear, never shown again)."""
    user = _user(request)
    kepling = kepling_accounts_for(user).filter(pk=user_id).first() if may_reset_kepling_passwords(user) else None
    if kepling is None or not may_reset_password_of(user, kepling):
        raise Http404("kepling")
    password = issue_one_time_password(by=user, user=kepling)
    return render(request, "accounts/one_time_password.html", {"kepling": kepling, "password": password})


class HandOverForm(forms.Form):
    lingkungan = forms.CharField(label=gettext_lazy("Lingkungan code"), max_length=40)
    username = forms.CharField(
        label=gettext_lazy("Username of the new Kepling"), max_length=150,
        help_text=gettext_lazy("An existing Kepling account, or a new one created with the name and phone below."),
    )
    full_name = forms.CharField(label=gettext_lazy("Full name (new account)"), max_length=150, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone (new account)"), max_length=30, required=False)
    start = forms.DateField(
        label=gettext_lazy("In office from"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )


@never_cache
@login_required
def hand_over(request: HttpRequest) -> HttpResponse:
    """Put a new Kepling in office in a lingkungan; the previous one's term ends the day before."""
    user = _user(request)
    if not may_hand_over_lingkungan(user):
        raise PermissionDenied
    form = HandOverForm(request.POST or None, initial={"start": timezone.localdate()})
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            context.update(_hand_over(user, form.cleaned_data))
        except (ValueError, Http404) as error:
            form.add_error(None, str(error) if isinstance(error, ValueError) else _("No such lingkungan."))
        else:
            messages.success(request, _("The lingkungan has been handed over."))
    return render(request, "accounts/hand_over.html", context)


def _hand_over(user: User, data: dict[str, object]) -> dict[str, object]:
    lingkungan = access_wilayah(user, str(data["lingkungan"]).strip())
    if lingkungan.level != LINGKUNGAN:
        raise ValueError(_("%(kode)s is not a lingkungan.") % {"kode": lingkungan.kode})
    username = str(data["username"]).strip()
    successor = User.objects.filter(username__iexact=username).first()
    password = ""
    if successor is None:
        if not data.get("full_name"):
            message = _("No account named %(username)s: give a full name to create it.")
            raise ValueError(message % {"username": username})
        successor, password = create_kepling_account(
            by=user, username=username, full_name=str(data["full_name"]), phone=str(data.get("phone") or "")
        )
    start = data["start"]
    assert isinstance(start, datetime.date)
    term = start_kepling_term(by=user, kepling=successor, lingkungan=lingkungan, start=start)
    return {"term": term, "password": password, "successor": successor}

