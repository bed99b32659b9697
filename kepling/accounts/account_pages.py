"""Account pages for the city administrator: list, create, change role and area, deactivate, new password."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kepling.accounts.actions import (
    AccountError,
    change_role_and_area,
    create_official_account,
    issue_one_time_password,
    set_account_active,
)
from kepling.accounts.models import Role, User
from kepling.accounts.permissions import may_manage_accounts
from kepling.accounts.queries import access_account, accounts_for
from kepling.accounts.scoping import access_wilayah
from kepling.core.errors import DomainError
from kepling.regions.actions import appoint_new_kepling
from kepling.regions.models import KeplingTerm, Wilayah

PAGE_SIZE = 50
OFFICIAL_ROLES = [(value, label) for value, label in Role.choices if value != Role.KEPLING]


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_manage_accounts(user):
        raise PermissionDenied
    return user


class AccountFilter(forms.Form):
    peran = forms.ChoiceField(label=gettext_lazy("Role"), required=False, choices=[("", "—"), *Role.choices])
    wilayah = forms.CharField(label=gettext_lazy("Area code"), required=False, max_length=40)


class NewAccountForm(forms.Form):
    username = forms.RegexField(
        label=gettext_lazy("Username"), max_length=150, regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": gettext_lazy("Use letters, digits and . @ + - _ only, without spaces.")},
    )
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    wilayah = forms.CharField(
        label=gettext_lazy("Area code"), max_length=40,
        help_text=gettext_lazy("Kepling: the lingkungan (12.71.01.1001.03); Lurah: the kelurahan; Camat: the "
                               "kecamatan; the city's roles: 12.71."),
    )
    start = forms.DateField(
        label=gettext_lazy("In office from (Kepling)"), required=False, input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


class RoleAreaForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=OFFICIAL_ROLES)
    wilayah = forms.CharField(label=gettext_lazy("Area code"), max_length=40)


def _area(user: User, kode: str) -> Wilayah:
    try:
        return access_wilayah(user, kode.strip())
    except Http404:
        raise AccountError(_("No area has the code %(kode)s.") % {"kode": kode.strip()}) from None


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    """Every account with its role, area, whether it may sign in and when it last did; filtered and paged."""
    user = _admin(request)
    filters = AccountFilter(request.GET or None)
    role, kode = "", ""
    if filters.is_valid():
        role, kode = filters.cleaned_data["peran"], filters.cleaned_data["wilayah"].strip()
    try:
        accounts = accounts_for(user, role=role, kode=kode)
    except Http404:
        filters.add_error("wilayah", _("No area has the code %(kode)s.") % {"kode": kode})
        accounts = accounts_for(user, role=role)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("hal"))
    return render(request, "accounts/account_list.html", {"filters": filters, "page": page})


@never_cache
@login_required
def account_new(request: HttpRequest) -> HttpResponse:
    """Create an account; a Kepling account is created with its term in a lingkungan."""
    user = _admin(request)
    form = NewAccountForm(request.POST or None, initial={"start": timezone.localdate()})
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            account, password = _create(user, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            context.update({"account": account, "password": password, "form": NewAccountForm()})
    return render(request, "accounts/account_new.html", context)


def _create(user: User, data: dict[str, Any]) -> tuple[User, str]:
    area = _area(user, data["wilayah"])
    role = Role(data["role"])
    if role == Role.KEPLING:
        start = data.get("start") or timezone.localdate()
        assert isinstance(start, datetime.date)
        account, _term, password = appoint_new_kepling(
            by=user, username=data["username"], full_name=data["full_name"], phone=data["phone"],
            lingkungan=area, start=start,
        )
        return account, password
    return create_official_account(
        by=user, username=data["username"], full_name=data["full_name"], phone=data["phone"], role=role, wilayah=area
    )


def _detail(request: HttpRequest, user: User, account: User, **extra: Any) -> HttpResponse:
    initial = {"role": account.role, "wilayah": account.wilayah.kode if account.wilayah else ""}
    context = {
        "account": account,
        "terms": KeplingTerm.objects.filter(kepling=account).select_related("lingkungan").order_by("-start"),
        "role_form": extra.pop("role_form", None) or RoleAreaForm(initial=initial),
        "is_self": account.pk == user.pk,
        "audit_url": reverse("audit_log") + "?" + urlencode({"object_type": "user", "object_id": account.pk}),
        **extra,
    }
    return render(request, "accounts/account_detail.html", context)


@never_cache
@login_required
def account_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One account: its role, area, terms, and the changes the city may make."""
    user = _admin(request)
    return _detail(request, user, access_account(user, user_id))


@login_required
@require_POST
def account_role(request: HttpRequest, user_id: int) -> HttpResponse:
    """Move a non-Kepling official to another role or area."""
    user = _admin(request)
    account = access_account(user, user_id)
    form = RoleAreaForm(request.POST)
    if form.is_valid():
        try:
            changed = change_role_and_area(
                by=user, user=account, role=Role(form.cleaned_data["role"]),
                wilayah=_area(user, form.cleaned_data["wilayah"]),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Role and area saved.") if changed else _("Nothing changed."))
            return redirect("account_detail", user_id=account.pk)
    account.refresh_from_db()
    return _detail(request, user, account, role_form=form)


@login_required
@require_POST
def account_active(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate or reactivate an account (`aktif` = 1 or 0)."""
    user = _admin(request)
    account = access_account(user, user_id)
    wanted = request.POST.get("aktif")
    if wanted not in {"0", "1"}:
        messages.error(request, _("Choose whether the account may sign in."))
        return redirect("account_detail", user_id=account.pk)
    try:
        set_account_active(by=user, user=account, active=wanted == "1")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("The account may sign in.") if account.is_active else _("The account is deactivated.")
        messages.success(request, done)
    return redirect("account_detail", user_id=account.pk)


@never_cache
@login_required
@require_POST
def account_password(request: HttpRequest, user_id: int) -> HttpResponse:
    """Issue a one-time password, shown once; the account must change it at its next sign-in."""
    user = _admin(request)
    account = access_account(user, user_id)
    if account.pk == user.pk:
        messages.error(request, _("Change your own password under “Change password”."))
        return redirect("account_detail", user_id=account.pk)
    password = issue_one_time_password(by=user, user=account)
    return _detail(request, user, account, password=password)
