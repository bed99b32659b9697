"""Sign-in and password forms with the project's own wording."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's sign-in form (fields `username`, `password`) with plain-language errors."""

    error_messages = {
        "invalid_login": _(
            "The username or password is wrong. Both are case-sensitive; "
            "check Caps Lock and try again."
        ),
        "inactive": _("This account is disabled. Ask the city administrator to reactivate it."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "spellcheck": "false"}
        )


class NewPasswordForm(PasswordChangeForm):
    """Change one's own password: the current one, then the new one twice."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("Your current password is wrong. Please enter it again."),
        "password_mismatch": _("The two new passwords are not the same."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password (again)")
        self.fields["new_password1"].help_text = _(
            "At least 12 characters. A short sentence you can remember works well."
        )
        self.fields["new_password2"].help_text = ""
        for field in self.fields.values():
            if isinstance(field.widget, forms.PasswordInput):
                field.widget.attrs.setdefault("autocomplete", "new-password")
        self.fields["old_password"].widget.attrs["autocomplete"] = "current-password"
