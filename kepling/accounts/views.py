"""Sign-in, sign-out, password change and the landing page."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kepling.accounts.models import User
from kepling.core import audit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home; the dashboards replace this page as they arrive."""
    return render(request, "accounts/home.html")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password; clears the one-time-password flag."""
    assert isinstance(request.user, User)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        audit.record(actor=user, action="password_changed", object_type="user", object_id=user.pk)
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(request, "registration/password_change_form.html", {"form": form})
