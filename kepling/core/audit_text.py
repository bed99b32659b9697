"""The audit log read by people: who did what to whom, as a sentence, with the changed fields' labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kepling.core.models import AuditLog

# What each action says; %(object)s names what it was done to.
ACTIONS: dict[str, Promise] = {
    "worker_registered": gettext_lazy("registered %(object)s"),
    "worker_viewed": gettext_lazy("viewed %(object)s"),
    "worker_updated": gettext_lazy("changed %(object)s"),
    "worker_withdrawn": gettext_lazy("withdrew %(object)s"),
    "worker_list_viewed": gettext_lazy("viewed the worker list of %(object)s"),
    "worker_credit_transferred": gettext_lazy("transferred the credit of %(object)s"),
    "nik_revealed": gettext_lazy("revealed the full NIK of %(object)s"),
    "api_view": gettext_lazy("read %(object)s through the API"),
    "account_created": gettext_lazy("created %(object)s"),
    "account_updated": gettext_lazy("changed %(object)s"),
    "user_changed": gettext_lazy("changed %(object)s"),
    "password_changed": gettext_lazy("changed the password of %(object)s"),
    "one_time_password_issued": gettext_lazy("issued a new one-time password to %(object)s"),
    "access_withdrawn": gettext_lazy("withdrew the area access of %(object)s"),
    "kepling_term_started": gettext_lazy("put a Kepling in office (%(object)s)"),
    "kepling_term_ended": gettext_lazy("ended %(object)s"),
    "target_changed": gettext_lazy("changed the target of %(object)s"),
    "wilayah_created": gettext_lazy("created %(object)s"),
    "wilayah_updated": gettext_lazy("changed %(object)s"),
    "payment_recorded": gettext_lazy("recorded %(object)s"),
    "payment_reversed": gettext_lazy("reversed %(object)s"),
    "import_uploaded": gettext_lazy("uploaded %(object)s"),
    "import_started": gettext_lazy("started %(object)s"),
    "import_applied": gettext_lazy("applied %(object)s"),
    "import_errors_exported": gettext_lazy("downloaded the error report of %(object)s"),
    "reconciliation_rebuilt": gettext_lazy("matched the BPJS data against the registry"),
    "reconciliation_item_viewed": gettext_lazy("opened %(object)s"),
    "reconciliation_linked": gettext_lazy("linked the payment of %(object)s to a worker"),
    "reconciliation_reversed": gettext_lazy("reversed the payment of %(object)s"),
    "reconciliation_dismissed": gettext_lazy("dismissed %(object)s"),
    "reconciliation_corrected": gettext_lazy("marked %(object)s as corrected"),
    "report_exported": gettext_lazy("built a report"),
    "report_requested": gettext_lazy("asked for a report (%(object)s)"),
    "report_downloaded": gettext_lazy("downloaded a report (%(object)s)"),
    "list_exported": gettext_lazy("downloaded %(object)s"),
    "ranking_published": gettext_lazy("published a ranking"),
    "attribution_conflict_decided": gettext_lazy("decided %(object)s"),
    "likely_duplicate_decided": gettext_lazy("decided %(object)s"),
    "likely_duplicate_opened": gettext_lazy("flagged a likely duplicate (%(object)s)"),
    "attribution_conflict_opened": gettext_lazy("opened a credit conflict (%(object)s)"),
    "export_downloaded": gettext_lazy("downloaded an export (%(object)s)"),
    "import_mapping_saved": gettext_lazy("saved the column mapping of %(object)s"),
    "payments_imported": gettext_lazy("imported a payment extract"),
    "participants_imported": gettext_lazy("imported a participant extract"),
    "contact_outcome_recorded": gettext_lazy("recorded the outcome of a contact with %(object)s"),
    "reminder_sent_by_kepling": gettext_lazy("sent a reminder to %(object)s"),
    "reminder_composed_by_kepling": gettext_lazy("opened a reminder message for %(object)s"),
    "statistic_created": gettext_lazy("added labour-force figures of %(object)s"),
    "statistic_updated": gettext_lazy("changed labour-force figures of %(object)s"),
    "level_name_changed": gettext_lazy("renamed a level of the hierarchy"),
    "api_token_created": gettext_lazy("created an API key (%(object)s)"),
    "api_token_revoked": gettext_lazy("revoked an API key (%(object)s)"),
    "demo_built": gettext_lazy("built the demo data"),
    "personal_data_viewed": gettext_lazy("viewed personal data on %(object)s"),
    "worker_search": gettext_lazy("searched for a person"),
    "account_deactivated": gettext_lazy("deactivated %(object)s"),
    "account_reactivated": gettext_lazy("reactivated %(object)s"),
    "reminder_rule_changed": gettext_lazy("changed %(object)s"),
    "payment_channel_added": gettext_lazy("added %(object)s"),
    "payment_channel_changed": gettext_lazy("changed %(object)s"),
}

OBJECTS: dict[str, Promise] = {
    "worker": gettext_lazy("worker #%(id)s"),
    "user": gettext_lazy("account #%(id)s"),
    "wilayah": gettext_lazy("area %(id)s"),
    "payment": gettext_lazy("payment #%(id)s"),
    "import_job": gettext_lazy("import #%(id)s"),
    "reconciliation_item": gettext_lazy("reconciliation item #%(id)s"),
    "kepling_term": gettext_lazy("Kepling term #%(id)s"),
    "list": gettext_lazy("the list “%(id)s”"),
    "report_job": gettext_lazy("report #%(id)s"),
    "page": gettext_lazy("the page %(id)s"),
    "reminder_rule": gettext_lazy("reminder rule #%(id)s"),
    "payment_channel": gettext_lazy("payment channel #%(id)s"),
}

FIELDS: dict[str, Promise] = {
    "nama": gettext_lazy("name"), "no_hp": gettext_lazy("phone"), "phone": gettext_lazy("phone"),
    "kpj": gettext_lazy("KPJ"), "penghasilan": gettext_lazy("declared monthly income"),
    "pekerjaan": gettext_lazy("occupation"), "sektor": gettext_lazy("sector"), "program": gettext_lazy("program"),
    "tanggal_lahir": gettext_lazy("date of birth"), "jenis_kelamin": gettext_lazy("sex"),
    "lingkungan": gettext_lazy("lingkungan"), "wilayah": gettext_lazy("area"), "target": gettext_lazy("target"),
    "full_name": gettext_lazy("full name"), "username": gettext_lazy("username"), "role": gettext_lazy("role"),
    "must_change_password": gettext_lazy("must change password"), "status": gettext_lazy("status"),
    "end": gettext_lazy("term end"), "start": gettext_lazy("term start"), "kepling": gettext_lazy("Kepling"),
    "format": gettext_lazy("format"), "rows": gettext_lazy("rows"), "scope": gettext_lazy("area"),
    "as_of": gettext_lazy("as of"), "nik_masked": gettext_lazy("NIK"), "candidates": gettext_lazy("candidates"),
    "workers": gettext_lazy("workers"), "page": gettext_lazy("page"), "q": gettext_lazy("search"),
    "created": gettext_lazy("new items"), "updated": gettext_lazy("items refreshed"),
    "closed": gettext_lazy("items closed"), "open": gettext_lazy("items open"), "level": gettext_lazy("level"),
    "parent": gettext_lazy("parent area"), "accounts": gettext_lazy("Kepling accounts"),
    "count": gettext_lazy("people shown"), "kode": gettext_lazy("code"), "nama_wilayah": gettext_lazy("name"),
    "is_active": gettext_lazy("may sign in"), "active": gettext_lazy("active"), "name": gettext_lazy("name"),
    "template": gettext_lazy("message"), "days_from_due": gettext_lazy("days from the due date"),
    "arrears_months": gettext_lazy("months in arrears"), "escalates": gettext_lazy("escalates when unpaid"),
    "position": gettext_lazy("order"),
}


@dataclass(frozen=True)
class Change:
    """One field of an audit row: its label, and the value before and after (either may be absent)."""

    label: str
    before: str
    after: str


def _label(key: str) -> str:
    return str(FIELDS.get(key, key.replace("_", " ")))


def _value(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return _("%(count)d items") % {"count": len(value)} if len(value) > 5 else ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{_label(str(k))}: {_value(v)}" for k, v in value.items())
    return str(value)


def object_text(row: AuditLog) -> str:
    """What the action was done to, in words."""
    template = OBJECTS.get(row.object_type)
    if template is None:
        return f"{row.object_type.replace('_', ' ')} {row.object_id}".strip()
    return str(template) % {"id": row.object_id}


def sentence(row: AuditLog) -> str:
    """`Lurah Pasar Baru issued a new one-time password to account #12`."""
    actor = str(row.actor) if row.actor else _("The system")
    template = ACTIONS.get(row.action)
    if template is None:
        return f"{actor}: {row.action.replace('_', ' ')} ({object_text(row)})"
    return f"{actor} {str(template) % {'object': object_text(row)}}"


def changes(row: AuditLog) -> list[Change]:
    """The fields of the row's before and after values, labelled."""
    old = row.old_values if isinstance(row.old_values, dict) else {}
    new = row.new_values if isinstance(row.new_values, dict) else {}
    keys = list(dict.fromkeys([*old, *new]))
    return [Change(_label(k), _value(old[k]) if k in old else "", _value(new.get(k))) for k in keys]


def action_choices() -> list[tuple[str, str]]:
    """The actions a filter offers, by their words."""
    return sorted(((code, str(text) % {"object": "…"}) for code, text in ACTIONS.items()), key=lambda c: c[1])
