"""Forms of the import pages: the upload and the header mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kepling.core.filelimits import ACCEPTED_SUFFIXES

MAX_UPLOAD_BYTES = 300 * 1024 * 1024
ALLOWED_SUFFIXES = tuple(sorted(ACCEPTED_SUFFIXES))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, comma or semicolon separated) or XLSX, with a header row."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 300 MB; split it into smaller files."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class MappingForm(forms.Form):
    """One choice per header the contract does not name: the contract column it holds, or ignore it."""

    def __init__(self, *args: Any, headers: list[str], columns: list[str], initial_map: dict[str, str], **kw: Any):
        super().__init__(*args, **kw)
        choices = [("", _("(ignore this column)")), *[(c, c) for c in columns]]
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"h{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=initial_map.get(header, "")
            )

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"h{i}", "") for i, header in enumerate(self.headers)}
