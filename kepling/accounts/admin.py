"""Accounts in the admin: role, area and the one-time-password flag; changes are audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kepling.accounts.models import User
from kepling.core import audit
from kepling.core.admin import CityAdminModelAdmin

AUDITED_FIELDS = (
    "username", "full_name", "phone", "email", "role", "wilayah", "is_active", "is_staff",
    "is_superuser", "must_change_password",
)


@admin.register(User)
class UserAdmin(CityAdminModelAdmin, DjangoUserAdmin[User]):
    list_display = (
        "username", "full_name", "role", "wilayah", "is_active", "must_change_password",
        "last_login",
    )
    list_filter = ("role", "is_active", "must_change_password", "is_staff")
    search_fields = ("username", "full_name", "phone", "email", "wilayah__kode", "wilayah__nama")
    list_select_related = ("wilayah",)
    raw_id_fields = ("wilayah",)
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "email")}),
        (_("Role and area"), {"fields": ("role", "wilayah")}),
        (_("Access"), {"fields": (
            "is_active", "must_change_password", "is_staff", "is_superuser",
            "groups", "user_permissions",
        )}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Person"), {"fields": ("full_name", "phone")}),
        (_("Role and area"), {"fields": ("role", "wilayah", "must_change_password")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Only a superuser may hand out superuser rights or raw permissions."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "groups", "user_permissions"]
        return fields

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        changed = [f for f in form.changed_data if f in AUDITED_FIELDS]
        before = {}
        if change:
            stored = User.objects.get(pk=obj.pk)
            before = {f: _audit_value(stored, f) for f in changed}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            actor = request.user if isinstance(request.user, User) else None
            audit.record(
                actor=actor,
                action="user_changed" if change else "user_created",
                object_type="user",
                object_id=obj.pk,
                old=before or None,
                new={f: _audit_value(obj, f) for f in changed} or None,
                note="admin",
            )


def _audit_value(user: User, field: str) -> Any:
    if field == "wilayah":
        return user.wilayah.kode if user.wilayah else None
    return getattr(user, field)
