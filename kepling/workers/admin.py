"""Read-only admin pages for the registry. Changes go through the audited actions, never here,
and the NIK is shown masked only: there is no decryption in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker
from kepling.workers.queries import conflicts_for, duplicates_for, workers_for


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = (
        "nama",
        "nik_masked",
        "lingkungan",
        "tanggal_daftar",
        "credited_kepling",
        "withdrawn_on",
    )
    list_filter = ("program", "sektor", "sumber_iuran")
    search_fields = ("nama", "lingkungan__kode")
    exclude = ("nik_hash", "nik_encrypted")
    list_select_related = ("lingkungan", "credited_kepling")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Worker]:
        return workers_for(request.user)  # type: ignore[arg-type]


@admin.register(AttributionConflict)
class AttributionConflictAdmin(ReadOnlyAdmin):
    list_display = (
        "worker",
        "claimant",
        "claimant_lingkungan",
        "claimed_on",
        "status",
        "decided_by",
    )
    list_filter = ("status",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AttributionConflict]:
        return conflicts_for(request.user)  # type: ignore[arg-type]


@admin.register(LikelyDuplicate)
class LikelyDuplicateAdmin(ReadOnlyAdmin):
    list_display = ("worker", "other", "kelurahan", "status", "decided_by")
    list_filter = ("status",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[LikelyDuplicate]:
        return duplicates_for(request.user)  # type: ignore[arg-type]
