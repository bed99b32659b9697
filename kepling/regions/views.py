"""Lingkungan and their targets for the city administrator: list, add, rename, change a target with a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kepling.accounts.models import User
from kepling.accounts.permissions import may_manage_lingkungan
from kepling.accounts.scoping import access_wilayah, wilayah_for
from kepling.core.errors import DomainError
from kepling.regions.actions import LINGKUNGAN_NUMBERS, TARGET_REASON_MAX, add_lingkungan, rename_wilayah, set_target
from kepling.regions.models import KECAMATAN, KELURAHAN, LINGKUNGAN, KeplingTerm, TargetChange, Wilayah

MAX_TARGET = 10_000


class TargetForm(forms.Form):
    target = forms.IntegerField(label=gettext_lazy("New target (workers)"), min_value=0, max_value=MAX_TARGET)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=TARGET_REASON_MAX,
        help_text=gettext_lazy("Kept with the change, e.g. the letter or meeting that decided it."),
    )


class RenameForm(forms.Form):
    nama = forms.CharField(label=gettext_lazy("Name"), max_length=120)


class AddLingkunganForm(forms.Form):
    number = forms.IntegerField(
        label=gettext_lazy("Number"), min_value=min(LINGKUNGAN_NUMBERS), max_value=max(LINGKUNGAN_NUMBERS),
        help_text=gettext_lazy("The last two digits of the code: 3 gives …1001.03."),
    )
    nama = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    target = forms.IntegerField(label=gettext_lazy("Target (workers)"), min_value=0, max_value=MAX_TARGET)


ROMAN = ((90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    """1..99 in Roman numerals, as Medan names its lingkungan (Lingkungan XIV)."""
    text = ""
    for value, letters in ROMAN:
        while number >= value:
            text, number = text + letters, number - value
    return text


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_manage_lingkungan(user):
        raise PermissionDenied
    return user


def _node(user: User, kode: str, level: int) -> Wilayah:
    node = access_wilayah(user, kode)
    if node.level != level:
        raise Http404("wilayah")
    return node


@login_required
def kelurahan_list(request: HttpRequest) -> HttpResponse:
    """Every kelurahan of the city by kecamatan, each leading to its lingkungan."""
    user = _admin(request)
    nodes = wilayah_for(user).filter(level__in=[KECAMATAN, KELURAHAN]).order_by("kode")
    kecamatan: dict[int, dict[str, Any]] = {}
    for node in nodes:
        if node.level == KECAMATAN:
            kecamatan[node.pk] = {"node": node, "kelurahan": []}
        elif node.parent_id in kecamatan:
            kecamatan[node.parent_id]["kelurahan"].append(node)
    return render(request, "regions/kelurahan_list.html", {"kecamatan": list(kecamatan.values())})


def _in_office(lingkungan: list[Wilayah]) -> dict[int, User]:
    today = timezone.localdate()
    terms = (
        KeplingTerm.objects.filter(lingkungan__in=lingkungan, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .select_related("kepling")
        .order_by("start")
    )
    return {term.lingkungan_id: term.kepling for term in terms}


def _next_number(kelurahan: Wilayah) -> int:
    used = {int(kode.rsplit(".", 1)[1]) for kode in kelurahan.children.values_list("kode", flat=True)
            if kode.rsplit(".", 1)[1].isdigit()}
    return next((n for n in LINGKUNGAN_NUMBERS if n not in used), max(LINGKUNGAN_NUMBERS))


def _kelurahan_page(request: HttpRequest, kelurahan: Wilayah, form: AddLingkunganForm | None = None) -> HttpResponse:
    lingkungan = list(kelurahan.children.filter(level=LINGKUNGAN).order_by("kode"))
    kepling = _in_office(lingkungan)
    number = _next_number(kelurahan)
    form = form or AddLingkunganForm(
        initial={"number": number, "nama": f"Lingkungan {roman(number)}", "target": settings.DEFAULT_LINGKUNGAN_TARGET}
    )
    context = {
        "kelurahan": kelurahan,
        "rows": [(node, kepling.get(node.pk)) for node in lingkungan],
        "total": sum(node.target or 0 for node in lingkungan),
        "form": form,
    }
    return render(request, "regions/kelurahan.html", context)


def _lingkungan_page(request: HttpRequest, node: Wilayah, **forms_: forms.Form) -> HttpResponse:
    context = {
        "node": node,
        "kepling": _in_office([node]).get(node.pk),
        "rename_form": forms_.get("rename_form") or RenameForm(initial={"nama": node.nama}),
        "target_form": forms_.get("target_form") or TargetForm(initial={"target": node.target}),
        "history": TargetChange.objects.filter(wilayah=node).select_related("changed_by"),
        "kelurahan_total": node.parent.children.aggregate(total=Sum("target"))["total"] if node.parent else None,
    }
    return render(request, "regions/lingkungan.html", context)


@login_required
def wilayah_page(request: HttpRequest, kode: str) -> HttpResponse:
    """A kelurahan (its lingkungan, Kepling and targets) or a lingkungan (name, target and its history)."""
    user = _admin(request)
    node = access_wilayah(user, kode)
    if node.level == KELURAHAN:
        return _kelurahan_page(request, node)
    if node.level == LINGKUNGAN:
        return _lingkungan_page(request, node)
    raise Http404("wilayah")


@login_required
@require_POST
def lingkungan_add(request: HttpRequest, kode: str) -> HttpResponse:
    """Add a lingkungan to a kelurahan."""
    user = _admin(request)
    kelurahan = _node(user, kode, KELURAHAN)
    form = AddLingkunganForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            node = add_lingkungan(by=user, kelurahan=kelurahan, number=data["number"], nama=data["nama"],
                                  target=data["target"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(kode)s %(nama)s added.") % {"kode": node.kode, "nama": node.nama})
            return redirect("regions:wilayah", kode=kelurahan.kode)
    return _kelurahan_page(request, kelurahan, form)


@login_required
@require_POST
def lingkungan_rename(request: HttpRequest, kode: str) -> HttpResponse:
    """Rename a lingkungan; its code stays."""
    user = _admin(request)
    node = _node(user, kode, LINGKUNGAN)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            changed = rename_wilayah(by=user, node=node, nama=form.cleaned_data["nama"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Name saved.") if changed else _("Nothing changed."))
            return redirect("regions:wilayah", kode=node.kode)
    return _lingkungan_page(request, node, rename_form=form)


@login_required
@require_POST
def lingkungan_target(request: HttpRequest, kode: str) -> HttpResponse:
    """Change a lingkungan's target, with the reason kept; the figures above it follow."""
    user = _admin(request)
    node = _node(user, kode, LINGKUNGAN)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            changed = set_target(by=user, lingkungan=node, target=form.cleaned_data["target"],
                                 reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Target saved.") if changed else _("The target was already that number."))
            return redirect("regions:wilayah", kode=node.kode)
    return _lingkungan_page(request, node, target_form=form)
