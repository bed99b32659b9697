"""The forms of a worker's correction page: contact details, contribution basis, withdrawal, move."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from kepling.accounts.models import User
from kepling.core.formatting import format_number
from kepling.workers.forms import LingkunganChoiceField, RupiahField, registrable_lingkungan
from kepling.workers.models import Payer, Program, Sector, Worker


class WithdrawalReason(TextChoices):
    MOVED_AWAY = "moved_away", _("Moved away")
    DIED = "died", _("Died")
    DUPLICATE = "duplicate", _("Registered twice (duplicate)")
    ASKED_TO_LEAVE = "asked_to_leave", _("Asked to leave the program")


class ContactForm(forms.Form):
    """Name and mobile number: what the crediting Kepling fixes on the spot."""

    nama = forms.CharField(
        label=_("Full name (as on the KTP)"),
        max_length=150,
        error_messages={"required": _("Enter the worker's name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    no_hp = forms.CharField(
        label=_("Mobile phone (WhatsApp)"),
        required=False,
        max_length=20,
        help_text=_("Reminders go to this number. E.g. 0812 3456 7890."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )

    @classmethod
    def for_worker(cls, worker: Worker, data: Any = None) -> ContactForm:
        return cls(data, initial={"nama": worker.nama, "no_hp": worker.no_hp}, prefix="kontak")


class BasisForm(forms.Form):
    """What the contribution is computed from; a change needs a reason, kept in the audit log."""

    penghasilan = RupiahField(
        label=_("Declared monthly income (Rp)"),
        error_messages={"required": _("Enter the declared monthly income, at least 1.000.000.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    program = forms.ChoiceField(label=_("Program"), choices=Program.choices, widget=forms.RadioSelect)
    sektor = forms.ChoiceField(label=_("Sector"), choices=Sector.choices, widget=forms.RadioSelect)
    sumber_iuran = forms.ChoiceField(label=_("Who pays the contribution"), choices=Payer.choices)
    alasan = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        error_messages={"required": _("Say why the contribution data changes.")},
    )

    @classmethod
    def for_worker(cls, worker: Worker, data: Any = None) -> BasisForm:
        initial = {
            "penghasilan": format_number(worker.penghasilan),
            "program": worker.program,
            "sektor": worker.sektor,
            "sumber_iuran": worker.sumber_iuran,
        }
        return cls(data, initial=initial, prefix="iuran")


class WithdrawForm(forms.Form):
    """Take a worker off the registry, with one of the program's reasons."""

    alasan = forms.ChoiceField(
        label=_("Reason"),
        choices=WithdrawalReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the worker leaves the registry.")},
    )
    catatan = forms.CharField(label=_("Note"), required=False, max_length=300)

    def reason(self) -> str:
        label = str(WithdrawalReason(self.cleaned_data["alasan"]).label)
        note = self.cleaned_data["catatan"].strip()
        return f"{label}: {note}" if note else label


class MoveForm(forms.Form):
    """Another lingkungan of the mover's area."""

    lingkungan = LingkunganChoiceField(
        label=_("Move to lingkungan"),
        queryset=None,
        empty_label=_("Choose a lingkungan"),
        error_messages={
            "required": _("Choose the worker's lingkungan."),
            "invalid_choice": _("Choose a lingkungan in your area."),
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lingkungan"]
        assert isinstance(field, LingkunganChoiceField)
        field.queryset = registrable_lingkungan(user)
