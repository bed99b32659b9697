"""The Django admin: for the city administrator only, titled in Indonesian; audit log read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kepling.core.models import AuditLog


def is_city_admin(request: HttpRequest) -> bool:
    """Superusers, and staff accounts with the Admin kota role."""
    user = request.user
    if not user.is_active:
        return False
    return bool(user.is_superuser or (user.is_staff and getattr(user, "is_admin_kota", False)))


# The project keeps Django's default site (every app registers there), so the gate is set on it.
admin.site.has_permission = is_city_admin  # type: ignore[method-assign]
admin.site.site_header = _("Kepling administration")
admin.site.site_title = _("Kepling administration")
admin.site.index_title = _("Master data and accounts")
admin.site.site_url = "/"


class CityAdminModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Full rights for the Admin kota role without per-model permission grants."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_city_admin(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_admin(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_city_admin(request) or super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_admin(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_admin(request) or super().has_delete_permission(request, obj)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: audit rows are append-only and written by the actions themselves."""

    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor__username", "action", "object_type", "object_id", "note")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    readonly_fields = (
        "at", "actor", "action", "object_type", "object_id", "old_values", "new_values", "note",
    )
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_city_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
