"""Forms of the dashboards: publishing a ranking and deciding the review queues."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from kepling.contributions.as_of import InvalidAsOfError, check_as_of


class PublishRankingForm(forms.Form):
    title = forms.CharField(label=_("Award period"), max_length=120, help_text=_("For example: Award October 2025"))
    # A date input speaks ISO dates whatever the page language (Indonesian formats would blank it).
    as_of = forms.DateField(
        label=_("Figures as of"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )

    def clean_as_of(self) -> datetime.date:
        try:
            return check_as_of(self.cleaned_data["as_of"]).date
        except InvalidAsOfError as error:
            raise forms.ValidationError(error.message) from None


class ConflictDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("keep", _("Keep the credit with the first registration")),
            ("transfer", _("Transfer the credit to the claimant")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DuplicateDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("duplicate", _("Same person (duplicate)")),
            ("not_duplicate", _("Different people (not a duplicate)")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
