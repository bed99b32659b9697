"""The worker registration form: reads what a Kepling types on a phone into a `WorkerInput`.

The form only parses (dates, Rupiah, choices) and says what is missing; every rule of the
registry (NIK structure, phone, age, income bounds, where one may register) is checked by
`kepling.workers.validation`, the same checks the imports and the API run.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kepling.accounts.models import Role, User
from kepling.accounts.scoping import wilayah_for
from kepling.contributions.status import ARREARS_BEFORE_INACTIVE, STATUS_LABELS
from kepling.core.identifiers import ascii_identifier
from kepling.regions.models import LINGKUNGAN, Wilayah
from kepling.workers.models import Gender, Payer, Program, Sector
from kepling.workers.validation import Problem, WorkerInput
from kepling.workers.wording import humanise

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
RUPIAH_NOISE = re.compile(r"(?i)^rp\.?|[\s.]")
WHOLE_CENTS = re.compile(r",0{1,2}$")
PARENTHESIS = re.compile(r"\s*\([^)]*\)")

# Contract column -> form field, so the registry's problems land next to the right input.
FIELD_OF_COLUMN = {
    "nik": "nik",
    "nama": "nama",
    "jenis_kelamin": "jenis_kelamin",
    "tanggal_lahir": "tanggal_lahir",
    "no_hp": "no_hp",
    "pekerjaan": "pekerjaan",
    "sektor": "sektor",
    "penghasilan": "penghasilan",
    "program": "program",
    "sumber_iuran": "sumber_iuran",
    "tanggal_daftar": "tanggal_daftar",
    "kode_lingkungan": "lingkungan",
    "consent": "consent",
}


def parse_rupiah(text: str) -> int | None:
    """'Rp 1.500.000', '1.500.000' or '1500000' -> 1500000; None when it is not a whole amount."""
    plain = WHOLE_CENTS.sub("", RUPIAH_NOISE.sub("", ascii_identifier(text or "")))
    # Larger than any income the registry accepts: refused by the range check, never an overflow.
    if not (plain.isascii() and plain.isdigit()) or len(plain) > 15:
        return None
    return int(plain)


class RupiahField(forms.CharField):
    """A whole Rupiah amount, written the way people write it (dots between thousands)."""

    default_error_messages = {"invalid": _("Write the amount in whole Rupiah, for example 1.500.000.")}

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        amount = parse_rupiah(text)
        if amount is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


class LingkunganChoiceField(forms.ModelChoiceField[Wilayah]):
    """A lingkungan, shown with its code and kelurahan so two 'Lingkungan I' can be told apart."""

    def label_from_instance(self, obj: Wilayah) -> str:
        parent = obj.parent.nama if obj.parent is not None else ""
        return f"{obj.kode} · {obj.nama} ({parent})" if parent else f"{obj.kode} · {obj.nama}"


def registrable_lingkungan(user: User) -> QuerySet[Wilayah]:
    """The lingkungan in the user's area, where they may register workers."""
    return wilayah_for(user).filter(level=LINGKUNGAN).select_related("parent").order_by("kode")


class RegistrationForm(forms.Form):
    """One worker, NIK first; a Kepling registers in their own lingkungan only."""

    nik = forms.CharField(
        label=_("NIK (16 digits, from the KTP)"),
        max_length=24,
        error_messages={"required": _("Enter the worker's NIK: the 16 digits on their KTP.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "pattern": "[0-9]{16}",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "maxlength": "24",
                "class": "input--nik",
            }
        ),
    )
    nama = forms.CharField(
        label=_("Full name (as on the KTP)"),
        max_length=150,
        error_messages={"required": _("Enter the worker's name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    jenis_kelamin = forms.ChoiceField(
        label=_("Sex"),
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the worker's sex.")},
    )
    tanggal_lahir = forms.DateField(
        label=_("Date of birth"),
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the worker's date of birth."),
            "invalid": _("Enter the date like 31/12/1990."),
        },
    )
    no_hp = forms.CharField(
        label=_("Mobile phone (WhatsApp)"),
        required=False,
        max_length=20,
        help_text=_("Optional. For payment reminders, e.g. 0812 3456 7890."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    pekerjaan = forms.CharField(
        label=_("Occupation"),
        max_length=100,
        help_text=_("E.g. street vendor, ojek driver, fisherman."),
        error_messages={"required": _("Enter the worker's occupation.")},
    )
    sektor = forms.ChoiceField(
        label=_("Sector"),
        choices=Sector.choices,
        widget=forms.RadioSelect,
        help_text=_("Transport: ojek, online drivers, couriers."),
        error_messages={"required": _("Choose the worker's sector.")},
    )
    penghasilan = RupiahField(
        label=_("Declared monthly income (Rp)"),
        help_text=_("At least Rp1.000.000. The contribution is calculated from it."),
        error_messages={"required": _("Enter the declared monthly income, at least 1.000.000.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    program = forms.ChoiceField(
        label=_("Program"),
        choices=Program.choices,
        initial=Program.BASIC,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the program.")},
    )
    sumber_iuran = forms.ChoiceField(
        label=_("Who pays the contribution"),
        choices=Payer.choices,
        initial=Payer.SELF,
        error_messages={"required": _("Choose who pays the contribution.")},
    )
    tanggal_daftar = forms.DateField(
        label=_("Registration date"),
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the registration date."),
            "invalid": _("Enter the date like 31/12/2025."),
        },
    )
    # A one-time key per form shown: a resend after a dropped connection registers the worker once.
    kunci = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I have read the statement above to the worker and they agree."),
        error_messages={"required": _("The worker's consent to the processing of their personal data is required.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kunci"].initial = uuid.uuid4().hex
        self.fields["tanggal_daftar"].initial = timezone.localdate
        self.fields["tanggal_daftar"].widget.attrs["max"] = timezone.localdate().isoformat()
        if user.role != Role.KEPLING:
            self.fields["lingkungan"] = LingkunganChoiceField(
                label=_("Lingkungan"),
                queryset=registrable_lingkungan(user),
                empty_label=_("Choose a lingkungan"),
                error_messages={
                    "required": _("Choose the worker's lingkungan."),
                    "invalid_choice": _("Choose a lingkungan in your area."),
                },
            )

    @property
    def chooses_lingkungan(self) -> bool:
        return "lingkungan" in self.fields

    def lingkungan(self) -> Wilayah | None:
        """The lingkungan the worker is registered in: the Kepling's own, or the one chosen."""
        if not self.chooses_lingkungan:
            return self.user.wilayah
        chosen = self.cleaned_data.get("lingkungan")
        return chosen if isinstance(chosen, Wilayah) else None

    def worker_input(self) -> WorkerInput:
        """What was typed, for the registry's checks (call after `is_valid()`)."""
        data = self.cleaned_data
        node = self.lingkungan()
        return WorkerInput(
            nik=data.get("nik") or self.data.get("nik", ""),
            nama=data.get("nama", ""),
            jenis_kelamin=data.get("jenis_kelamin", ""),
            tanggal_lahir=data.get("tanggal_lahir"),
            no_hp=data.get("no_hp", ""),
            pekerjaan=data.get("pekerjaan", ""),
            sektor=data.get("sektor", ""),
            penghasilan=data.get("penghasilan"),
            program=data.get("program", ""),
            sumber_iuran=data.get("sumber_iuran", ""),
            tanggal_daftar=data.get("tanggal_daftar"),
            lingkungan=node,
            kode_lingkungan=node.kode if node is not None else "",
        )

    def add_problems(self, problems: list[Problem]) -> None:
        """Show the registry's problems next to their fields, skipping fields already in error."""
        add_problems(self, problems)


def column_labels(form: forms.Form) -> dict[str, str]:
    """Each contract column the form shows, with the short label of its field ("Mobile phone")."""
    labels = {}
    for column, name in FIELD_OF_COLUMN.items():
        if name in form.fields:
            label = str(form.fields[name].label or name)
            labels[column] = PARENTHESIS.sub("", label).strip()
    labels.setdefault("kode_lingkungan", str(_("Lingkungan")))
    return labels


def add_problems(form: forms.Form, problems: list[Problem]) -> None:
    """The registry's problems next to their fields, worded with the fields' labels."""
    labels = column_labels(form)
    for column, message in problems:
        name = FIELD_OF_COLUMN.get(column)
        if name is not None and name not in form.fields:
            name = None
        if name is not None and name in form.errors:
            continue
        form.add_error(name, humanise(str(message), labels))


# List filters beyond the statuses: every protected worker, and the withdrawn ones.
PROTECTED = "protected"
WITHDRAWN = "withdrawn"


def status_choices() -> list[tuple[str, str]]:
    """The worker statuses, for the list filter."""
    statuses = [(str(k), str(v)) for k, v in STATUS_LABELS.items()]
    extra = [(PROTECTED, str(_("Protected (paid at least one month)"))), (WITHDRAWN, str(_("Withdrawn")))]
    return [("", str(_("All statuses"))), *statuses, *extra]


class WorkerFilterForm(forms.Form):
    """Search by name and filter by status, lingkungan and months in arrears on the workers list."""

    q = forms.CharField(
        label=_("Search by name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=status_choices)
    # The lingkungan select is written by the list itself (`listing.lingkungan_select_options`).
    menunggak = forms.ChoiceField(label=_("Months in arrears"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        arrears_field = self.fields["menunggak"]
        assert isinstance(arrears_field, forms.ChoiceField)
        arrears_field.choices = [("", str(_("Any")))] + [
            (str(n), ngettext("%(n)s month or more", "%(n)s months or more", n) % {"n": n})
            for n in range(1, ARREARS_BEFORE_INACTIVE + 1)
        ]
