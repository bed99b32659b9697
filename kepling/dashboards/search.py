"""Finding one person across the user's area: by full NIK (keyed hash), KPJ, phone or name; audited.

Filters narrow by status, lingkungan and months in arrears. Pages are read one row past the
page size instead of counting every match, so a page costs the same in a city of any size.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kepling.accounts.actions import normalise_phone
from kepling.accounts.models import User
from kepling.accounts.scoping import access_wilayah
from kepling.contributions.status import STATUS_LABELS, Status, with_status
from kepling.core import audit
from kepling.core.crypto import lookup_hash, mask_nik
from kepling.core.identifiers import ascii_identifier
from kepling.core.params import MAX_PAGE, is_area_code
from kepling.regions.models import LEVEL_KEYS
from kepling.workers.models import Worker
from kepling.workers.queries import workers_for
from kepling.workers.validation import clean_nik, search_key

PAGE_SIZE = 50
_DIGITS = re.compile(r"[\d\s.\-+]+")


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("NIK, KPJ, phone or name"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("All statuses")), *[(s.value, STATUS_LABELS[s]) for s in Status]],
    )
    lingkungan = forms.CharField(label=_("Area code"), required=False, max_length=40)
    menunggak = forms.IntegerField(label=_("At least this many months overdue"), required=False, min_value=1,
                                   max_value=240)
    hal = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput)

    def clean_lingkungan(self) -> str:
        code = ascii_identifier(self.cleaned_data.get("lingkungan", "").strip())
        if code and not is_area_code(code):
            raise forms.ValidationError(_("Give an area code such as 12.71.01.1001.03."))
        return code


@dataclass
class SearchPage:
    """One page of matches, whether more follow, and what the query was taken for."""

    workers: list[Worker]
    number: int
    has_next: bool
    searched_by: str


def _by_key(text: str) -> tuple[str, dict[str, Any], str]:
    """(kind, filter, what the audit keeps) for the typed text; a NIK is only ever kept masked."""
    compact = re.sub(r"[\s.\-]", "", text)
    if compact.isdigit() and len(compact) == 16:
        nik = clean_nik(compact)
        return "nik", {"nik_hash": lookup_hash(nik)}, mask_nik(nik)
    if compact.isdigit() and len(compact) == 11:
        return "kpj", {"kpj": compact}, compact
    if _DIGITS.fullmatch(text) and 9 <= len(compact.lstrip("+")) <= 15:
        try:
            phone = normalise_phone(text)
        except ValueError:
            phone = compact
        return "phone", {"no_hp": phone}, phone
    return "name", {"name_key__contains": search_key(text)}, search_key(text)


def search_people(user: User, form: PersonSearchForm, as_of: datetime.date) -> SearchPage:
    """The page of workers in the user's area matching the form; every search is audited."""
    data = form.cleaned_data if form.is_valid() else {}
    workers: QuerySet[Worker] = workers_for(user).select_related("lingkungan")
    searched_by, kept = "", ""
    if data.get("q", "").strip():
        searched_by, lookup, kept = _by_key(data["q"].strip())
        workers = workers.filter(**lookup)
    if data.get("lingkungan"):
        node = access_wilayah(user, data["lingkungan"].strip())
        workers = workers.filter(**{f"{LEVEL_KEYS[node.level]}_id": node.pk})
    annotated: Any = with_status(workers, as_of)
    if data.get("status"):
        annotated = annotated.filter(status=data["status"])
    if data.get("menunggak"):
        annotated = annotated.filter(arrears_months__gte=data["menunggak"])
    number = data.get("hal") or 1
    start = (number - 1) * PAGE_SIZE
    rows = list(annotated.order_by("nama", "id")[start : start + PAGE_SIZE + 1])
    page = SearchPage(rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE, searched_by)
    audit.record(
        actor=user, action="worker_search", object_type="search", object_id=searched_by,
        new={"q": kept, "status": data.get("status", ""), "area": data.get("lingkungan", ""),
             "arrears_from": data.get("menunggak"), "page": number, "workers": [w.pk for w in page.workers]},
        workers=[w.pk for w in page.workers],
    )
    return page
