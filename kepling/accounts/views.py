"""Sign-in, sign-out, password change and the landing page."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from kepling.accounts.forms import NewPasswordForm, SignInForm
from kepling.accounts.models import Role, User
from kepling.accounts.scoping import root_wilayah
from kepling.core import audit


class SignInView(LoginView):
    """Django's login view with the project's form; a signed-in user goes straight home."""

    form_class = SignInForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home: the Kepling's phone page, or the dashboard of the user's area."""
    role = getattr(request.user, "role", "")
    if role == Role.KEPLING:
        return redirect("workers:kepling_home")
    if role and root_wilayah(request.user) is not None:  # type: ignore[arg-type]
        return redirect("dashboards:home")
    return render(request, "accounts/home.html")


@sensitive_post_parameters()
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password; clears the one-time-password flag."""
    assert isinstance(request.user, User)
    form = NewPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            was_forced = user.must_change_password
            user.must_change_password = False
            user.save()
            audit.record(
                actor=user, action="password_changed", object_type="user", object_id=user.pk,
                note="one-time password replaced" if was_forced else "",
            )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    forced = getattr(request.user, "must_change_password", False)
    context = {"form": form, "forced": forced}
    return render(request, "registration/password_change_form.html", context)
