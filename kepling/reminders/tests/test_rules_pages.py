"""Admin kota keeps reminder rules and payment channels in the app, validated and audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kepling.accounts.models import User
from kepling.core.models import AuditLog
from kepling.reminders.actions import ensure_default_rules
from kepling.reminders.messages import cara_bayar
from kepling.reminders.models import PaymentChannel, ReminderRule, RuleKind
from kepling.testing import City

pytestmark = pytest.mark.django_db

OTHER_ROLES = ("kepling_user", "lurah", "camat", "petugas_bpjs", "pimpinan")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rules_state() -> list[tuple[object, ...]]:
    return sorted(ReminderRule.objects.values_list("pk", "name", "template", "days_from_due", "arrears_months",
                                                   "escalates", "active"))


def channels_state() -> list[tuple[object, ...]]:
    return sorted(PaymentChannel.objects.values_list("pk", "nama", "position", "active"))


@pytest.fixture
def rules(city: City) -> list[ReminderRule]:
    ensure_default_rules()
    return list(ReminderRule.objects.order_by("pk"))


@pytest.fixture
def no_channels(city: City) -> None:
    """Start from no channel kept (the migrations seed the program's list)."""
    PaymentChannel.objects.all().delete()


def form_of(rule: ReminderRule, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": rule.name, "template": rule.template, "days_from_due": rule.days_from_due,
                            "arrears_months": rule.arrears_months}
    body.update({"escalates": "on"} if rule.escalates else {})
    body.update({"active": "on"} if rule.active else {})
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_the_rules_are_listed_and_switched_off_and_on(admin_kota: User, rules: list[ReminderRule]) -> None:
    client = signed_in(admin_kota)
    page = client.get("/pengingat/aturan/")
    assert [rule.pk for rule, _fires in page.context["rows"]] == [r.pk for r in ReminderRule.objects.all()]
    rule = rules[0]
    client.post(f"/pengingat/aturan/{rule.pk}/aktif/", {"aktif": "0"})
    assert not ReminderRule.objects.get(pk=rule.pk).active
    client.post(f"/pengingat/aturan/{rule.pk}/aktif/", {"aktif": "1"})
    assert ReminderRule.objects.get(pk=rule.pk).active
    entries = AuditLog.objects.filter(action="reminder_rule_changed", object_id=str(rule.pk)).order_by("pk")
    assert [(e.old_values, e.new_values) for e in entries] == [
        ({"active": True}, {"active": False}), ({"active": False}, {"active": True})]


def test_a_rules_wording_and_timing_are_edited_with_old_and_new_audited(admin_kota: User,
                                                                         rules: list[ReminderRule]) -> None:
    rule = next(r for r in rules if r.kind == RuleKind.ARREARS)
    wording = "Yth. {nama}, iuran bulan {bulan} sebesar {jumlah} belum dibayar. Bayar lewat {cara_bayar}."
    response = signed_in(admin_kota).post(f"/pengingat/aturan/{rule.pk}/",
                                          form_of(rule, template=wording, days_from_due=3))
    assert response.status_code == 302
    saved = ReminderRule.objects.get(pk=rule.pk)
    assert (saved.template, saved.days_from_due) == (wording, 3)
    entry = AuditLog.objects.get(action="reminder_rule_changed", object_id=str(rule.pk), actor=admin_kota)
    assert entry.old_values == {"template": rule.template, "days_from_due": rule.days_from_due}
    assert entry.new_values == {"template": wording, "days_from_due": 3}


def test_every_default_rule_saves_unchanged(admin_kota: User, rules: list[ReminderRule]) -> None:
    client = signed_in(admin_kota)
    for rule in rules:
        assert client.post(f"/pengingat/aturan/{rule.pk}/", form_of(rule)).status_code == 302, rule.code
    assert not AuditLog.objects.filter(action="reminder_rule_changed").exists()


@pytest.mark.parametrize("changes", [
    {"template": "Yth. {nama}, bayar {jumlh} sekarang."},  # a mistyped placeholder
    {"template": "Iuran bulan {bulan} belum dibayar."},  # no name
    {"template": "Yth. {nama}. " + "Mohon dibayar. " * 40},  # too long for one screen
    {"template": ""},
    {"name": "  "},
    {"days_from_due": "40"},
    {"days_from_due": "tiga"},
    {"arrears_months": "0"},
    {"arrears_months": "5"},
])
def test_bad_rule_input_says_why_and_changes_nothing(admin_kota: User, rules: list[ReminderRule],
                                                     changes: dict[str, str]) -> None:
    rule = next(r for r in rules if r.kind == RuleKind.ARREARS)
    before, audit_before = rules_state(), AuditLog.objects.count()
    response = signed_in(admin_kota).post(f"/pengingat/aturan/{rule.pk}/", form_of(rule, **changes))
    assert response.status_code == 200 and response.context["form"].errors
    assert 'class="errorlist' in response.content.decode()
    assert rules_state() == before and AuditLog.objects.count() == audit_before


def test_a_before_due_rule_cannot_fire_after_the_due_date(admin_kota: User, rules: list[ReminderRule]) -> None:
    rule = next(r for r in rules if r.kind == RuleKind.BEFORE_DUE)
    before = rules_state()
    response = signed_in(admin_kota).post(f"/pengingat/aturan/{rule.pk}/", form_of(rule, days_from_due=2))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert rules_state() == before


@pytest.mark.usefixtures("no_channels")
def test_payment_channels_are_added_edited_and_deactivated_and_reminders_name_them(admin_kota: User) -> None:
    client = signed_in(admin_kota)
    assert client.post("/pengingat/kanal/", {"nama": "aplikasi JMO", "position": "1"}).status_code == 302
    assert client.post("/pengingat/kanal/", {"nama": "Kantor Pos", "position": "2"}).status_code == 302
    assert cara_bayar() == "aplikasi JMO atau Kantor Pos"
    post_office = PaymentChannel.objects.get(nama="Kantor Pos")
    response = client.post(f"/pengingat/kanal/{post_office.pk}/", {"nama": "Kantor Pos Indonesia", "position": "2"})
    assert response.status_code == 302  # "active" unticked: deactivated
    post_office.refresh_from_db()
    assert (post_office.nama, post_office.active) == ("Kantor Pos Indonesia", False)
    assert cara_bayar() == "aplikasi JMO"
    entry = AuditLog.objects.get(action="payment_channel_changed", object_id=str(post_office.pk))
    assert entry.old_values == {"nama": "Kantor Pos", "active": True}
    assert entry.new_values == {"nama": "Kantor Pos Indonesia", "active": False}
    assert AuditLog.objects.filter(action="payment_channel_added", actor=admin_kota).count() == 2
    assert "Kantor Pos Indonesia" in client.get("/pengingat/kanal/").content.decode()


@pytest.mark.parametrize("body", [
    {"nama": "", "position": "0"},
    {"nama": "  ...  ", "position": "0"},
    {"nama": "APLIKASI jmo", "position": "0"},  # exists
    {"nama": "Bank Sumut", "position": "-1"},
    {"nama": "x" * 121, "position": "0"},
])
@pytest.mark.usefixtures("no_channels")
def test_bad_channel_input_says_why_and_changes_nothing(admin_kota: User, body: dict[str, str]) -> None:
    PaymentChannel.objects.create(nama="aplikasi JMO")
    before, audit_before = channels_state(), AuditLog.objects.count()
    response = signed_in(admin_kota).post("/pengingat/kanal/", body)
    assert response.status_code == 200 and response.context["form"].errors
    assert channels_state() == before and AuditLog.objects.count() == audit_before


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_every_other_role_is_refused(who: str, request: pytest.FixtureRequest, rules: list[ReminderRule]) -> None:
    channel = PaymentChannel.objects.create(nama="aplikasi JMO")
    client = signed_in(request.getfixturevalue(who))
    before = (rules_state(), channels_state())
    rule = rules[0]
    for path in ("/pengingat/aturan/", f"/pengingat/aturan/{rule.pk}/", "/pengingat/kanal/",
                 f"/pengingat/kanal/{channel.pk}/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/pengingat/aturan/{rule.pk}/aktif/", {"aktif": "0"}).status_code == 403
    assert client.post(f"/pengingat/aturan/{rule.pk}/", form_of(rule, name="Diganti")).status_code == 403
    assert client.post("/pengingat/kanal/", {"nama": "Bank", "position": "0"}).status_code == 403
    assert client.post(f"/pengingat/kanal/{channel.pk}/", {"nama": "Bank", "position": "0"}).status_code == 403
    assert (rules_state(), channels_state()) == before
