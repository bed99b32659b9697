"""Reminder rules are edited by the city administrator; the outbox and outcomes are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kepling.core.admin import CityAdminModelAdmin
from kepling.reminders.messages import text_of
from kepling.reminders.models import ContactOutcome, OutboxMessage, PaymentChannel, ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(CityAdminModelAdmin):
    list_display = ("name", "code", "kind", "days_from_due", "arrears_months", "escalates", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("kind", "active")
    search_fields = ("name", "code", "template")


@admin.register(PaymentChannel)
class PaymentChannelAdmin(CityAdminModelAdmin):
    list_display = ("nama", "active", "position")
    list_editable = ("active", "position")


class ReadOnlyAdmin(CityAdminModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "worker", "rule", "periode", "channel", "status", "attempts", "queued_on", "sent_at")
    list_filter = ("status", "channel", "rule", "queued_on")
    list_select_related = ("worker", "rule")
    raw_id_fields = ("worker", "kelurahan", "lingkungan")
    date_hierarchy = "queued_on"
    readonly_fields = ("message_text",)

    @admin.display(description=_("message text"))
    def message_text(self, message: OutboxMessage) -> str:
        """The text sent, or the text it would be sent with now (a queued row keeps rule, month and amount)."""
        return text_of(message)


@admin.register(ContactOutcome)
class ContactOutcomeAdmin(ReadOnlyAdmin):
    list_display = ("at", "worker", "outcome", "by")
    list_filter = ("outcome",)
    list_select_related = ("worker", "by")
    raw_id_fields = ("worker", "by", "message", "kelurahan")
