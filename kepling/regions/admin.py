"""Admin screens for the wilayah tree, level names, targets, statistics and Kepling terms.

Saves go through the actions, so every change made here is audited like an import's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext

from kepling.accounts.models import User
from kepling.core import audit
from kepling.regions.actions import save_statistic, save_wilayah
from kepling.regions.models import KeplingTerm, LevelName, TargetChange, Wilayah, WilayahStatistic


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """History: listed and searchable, never edited or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LevelName)
class LevelNameAdmin(admin.ModelAdmin[LevelName]):
    list_display = ["level", "key", "name", "head_title"]
    readonly_fields = ["level"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: LevelName | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: LevelName, form: ModelForm[LevelName], change: bool
    ) -> None:
        before = LevelName.objects.filter(pk=obj.pk).values("key", "name", "head_title").first()
        super().save_model(request, obj, form, change)
        after = {"key": obj.key, "name": obj.name, "head_title": obj.head_title}
        old, new = audit.changed_fields(dict(before or {}), after)
        if new:
            audit.record(
                actor=_actor(request),
                action="level_name_changed",
                object_type="level_name",
                object_id=obj.level,
                old=old,
                new=new,
            )


@admin.register(Wilayah)
class WilayahAdmin(admin.ModelAdmin[Wilayah]):
    list_display = ["kode", "nama", "level", "parent", "target", "kode_pos"]
    list_filter = ["level"]
    search_fields = ["kode", "nama"]
    raw_id_fields = ["parent"]
    fields = ["kode", "nama", "level", "parent", "kode_pos", "target"]

    def get_readonly_fields(self, request: HttpRequest, obj: Wilayah | None = None) -> list[str]:
        # The code, level and place in the tree are the node's identity: fixed once created.
        return ["kode", "level", "parent"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Wilayah | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Wilayah, form: ModelForm[Wilayah], change: bool
    ) -> None:
        node, _ = save_wilayah(
            by=_actor(request),
            kode=obj.kode,
            nama=obj.nama,
            level=obj.level,
            parent=obj.parent,
            kode_pos=obj.kode_pos,
            target=obj.target,
            reason=gettext("changed in the admin"),
        )
        obj.pk = node.pk
        obj.refresh_from_db()


@admin.register(TargetChange)
class TargetChangeAdmin(ReadOnlyAdmin):
    list_display = ["wilayah", "old_target", "new_target", "changed_by", "changed_at", "reason"]
    search_fields = ["wilayah__kode", "reason"]
    date_hierarchy = "changed_at"
    list_select_related = ["wilayah", "changed_by"]


class WilayahStatisticForm(forms.ModelForm[WilayahStatistic]):
    class Meta:
        model = WilayahStatistic
        fields = ["wilayah", "per_tanggal", "angkatan_kerja", "peserta_aktif_bpjs"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        labour_force, participants = data.get("angkatan_kerja"), data.get("peserta_aktif_bpjs")
        if labour_force is not None and participants is not None and participants > labour_force:
            self.add_error(
                "peserta_aktif_bpjs",
                gettext("Active BPJS participants cannot exceed the labour force."),
            )
        return data


@admin.register(WilayahStatistic)
class WilayahStatisticAdmin(admin.ModelAdmin[WilayahStatistic]):
    form = WilayahStatisticForm
    list_display = ["wilayah", "per_tanggal", "angkatan_kerja", "peserta_aktif_bpjs", "updated_at"]
    search_fields = ["wilayah__kode", "wilayah__nama"]
    raw_id_fields = ["wilayah"]
    list_select_related = ["wilayah"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: WilayahStatistic | None = None
    ) -> list[str]:
        return ["wilayah", "per_tanggal"] if obj is not None else []

    def has_delete_permission(
        self, request: HttpRequest, obj: WilayahStatistic | None = None
    ) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: WilayahStatistic,
        form: ModelForm[WilayahStatistic],
        change: bool,
    ) -> None:
        statistic, _ = save_statistic(
            by=_actor(request),
            wilayah=obj.wilayah,
            per_tanggal=obj.per_tanggal,
            angkatan_kerja=obj.angkatan_kerja,
            peserta_aktif_bpjs=obj.peserta_aktif_bpjs,
        )
        obj.pk = statistic.pk
        obj.refresh_from_db()


@admin.register(KeplingTerm)
class KeplingTermAdmin(ReadOnlyAdmin):
    list_display = ["lingkungan", "kepling", "start", "end"]
    search_fields = ["lingkungan__kode", "kepling__username", "kepling__full_name"]
    list_filter = [("end", admin.EmptyFieldListFilter)]
    list_select_related = ["lingkungan", "kepling"]
    ordering = ["lingkungan__kode", "-start"]
