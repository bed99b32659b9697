"""Reminder rules and payment channels, kept by the city administrator in the app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kepling.accounts.models import User
from kepling.accounts.permissions import may_manage_payment_channels, may_manage_reminder_rules
from kepling.core.errors import DomainError
from kepling.core.periods import month_start
from kepling.reminders import actions
from kepling.reminders.messages import CONSTANT_PLACEHOLDERS, WORKER_PLACEHOLDERS, compose
from kepling.reminders.models import PaymentChannel, ReminderRule, RuleKind


def _user(request: HttpRequest, allowed: Any) -> User:
    user = request.user
    if not isinstance(user, User) or not allowed(user):
        raise PermissionDenied
    return user


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    days_from_due = forms.IntegerField(
        label=gettext_lazy("Days from the due date"), min_value=min(actions.DAYS_FROM_DUE),
        max_value=max(actions.DAYS_FROM_DUE),
        help_text=gettext_lazy("Negative: before the due date (-3 is three days before); 1: the day after."),
    )
    arrears_months = forms.IntegerField(
        label=gettext_lazy("Months in arrears"), min_value=min(actions.ARREARS_MONTHS),
        max_value=max(actions.ARREARS_MONTHS), help_text=gettext_lazy("4: the worker is no longer active."),
    )
    template = forms.CharField(
        label=gettext_lazy("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}),
    )
    escalates = forms.BooleanField(
        label=gettext_lazy("Escalates when unpaid"), required=False,
        help_text=gettext_lazy("Workers still unpaid after this reminder go to the Lurah, then the Camat."),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args: Any, rule: ReminderRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rule.kind == RuleKind.BEFORE_DUE:
            del self.fields["arrears_months"]
        placeholders = ", ".join(CONSTANT_PLACEHOLDERS + WORKER_PLACEHOLDERS)
        self.fields["template"].help_text = _("Placeholders: %(placeholders)s.") % {"placeholders": placeholders}


def _rule(rule_id: int) -> ReminderRule:
    rule = ReminderRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404("rule")
    return rule


def _preview(template: str) -> str:
    return compose(
        template, month=month_start(timezone.localdate()), nama="Siti Aminah", jumlah=16_800, kepling="Budi (Kepling)",
        nomor="KPJ 12345678901",
    )


def timing(rule: ReminderRule) -> str:
    """When a rule fires, in words: "3 days before the due date", "1 day after the due date"."""
    days = abs(rule.days_from_due)
    if rule.days_from_due < 0:
        text = ngettext("%(n)d day before the due date", "%(n)d days before the due date", days)
    elif rule.days_from_due > 0:
        text = ngettext("%(n)d day after the due date", "%(n)d days after the due date", days)
    else:
        text = _("on the due date")
    return text % {"n": days} if days else text


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every reminder rule: when it fires, whether it escalates, whether it is on."""
    _user(request, may_manage_reminder_rules)
    rows = [(rule, timing(rule)) for rule in ReminderRule.objects.all()]
    return render(request, "reminders/rule_list.html", {"rows": rows})


@login_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Edit a rule's name, timing and message; messages not sent yet take the new wording."""
    user = _user(request, may_manage_reminder_rules)
    rule = _rule(rule_id)
    initial = {f: getattr(rule, f) for f in actions.RULE_FIELDS}
    form = RuleForm(request.POST or None, rule=rule, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        settings = actions.RuleSettings(
            name=data["name"], template=data["template"], days_from_due=data["days_from_due"],
            arrears_months=data.get("arrears_months", 0), escalates=data["escalates"], active=data["active"],
        )
        try:
            changed = actions.update_reminder_rule(by=user, rule=rule, settings=settings)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The rule is saved.") if changed else _("Nothing changed."))
            return redirect("reminders:rules")
    context = {"rule": rule, "form": form, "preview": _preview(rule.template)}
    return render(request, "reminders/rule_edit.html", context)


@login_required
@require_POST
def rule_active(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Switch a rule on (`aktif=1`) or off (`aktif=0`)."""
    user = _user(request, may_manage_reminder_rules)
    rule = _rule(rule_id)
    wanted = request.POST.get("aktif")
    if wanted not in {"0", "1"}:
        messages.error(request, _("Choose whether the rule is on or off."))
    elif actions.set_reminder_rule_active(by=user, rule=rule, active=wanted == "1"):
        done = _("“%(name)s” is on.") if rule.active else _("“%(name)s” is off.")
        messages.success(request, done % {"name": rule.name})
    return redirect("reminders:rules")


class ChannelForm(forms.Form):
    nama = forms.CharField(
        label=gettext_lazy("Name, as written in the message"), max_length=120,
        help_text=gettext_lazy("e.g. aplikasi JMO, or teller dan ATM Bank Sumut"),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Order"), min_value=0, max_value=1000, initial=0,
        help_text=gettext_lazy("Channels are named in this order (smallest first)."),
    )


class ChannelEditForm(ChannelForm):
    active = forms.BooleanField(label=gettext_lazy("Active (named in reminders)"), required=False)


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    """The payment channels every reminder names, and a form to add one."""
    user = _user(request, may_manage_payment_channels)
    last = PaymentChannel.objects.order_by("-position").values_list("position", flat=True).first()
    form = ChannelForm(request.POST or None, initial={"position": (last or 0) + 10})
    if request.method == "POST" and form.is_valid():
        try:
            channel = actions.add_payment_channel(
                by=user, nama=form.cleaned_data["nama"], position=form.cleaned_data["position"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": channel.nama})
            return redirect("reminders:channels")
    context = {"channels": PaymentChannel.objects.all(), "form": form, "example": _preview("{cara_bayar}")}
    return render(request, "reminders/channel_list.html", context)


@login_required
def channel_edit(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Rename, reorder, deactivate or reactivate a payment channel."""
    user = _user(request, may_manage_payment_channels)
    channel = PaymentChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        raise Http404("channel")
    initial = {"nama": channel.nama, "position": channel.position, "active": channel.active}
    form = ChannelEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = actions.update_payment_channel(
                by=user, channel=channel, nama=data["nama"], position=data["position"], active=data["active"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The channel is saved.") if changed else _("Nothing changed."))
            return redirect("reminders:channels")
    return render(request, "reminders/channel_edit.html", {"channel": channel, "form": form})
