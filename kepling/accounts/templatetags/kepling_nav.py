"""The main navigation, adapted to the signed-in user's role: `{% main_nav as items %}`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kepling.accounts import permissions
from kepling.accounts.models import Role

register = template.Library()


@dataclass(frozen=True)
class NavLink:
    """A menu entry: a URL name and the permission that shows it. Pages not built yet render as 'coming soon'."""

    label: Promise
    url_name: str
    visible: Callable[[Any], bool]
    staff_only: bool = False


def _kepling(user: Any) -> bool:
    return permissions.effective_role(user) == Role.KEPLING


def _not_kepling(user: Any) -> bool:
    return permissions.effective_role(user) not in (None, Role.KEPLING)


def _any_upload(user: Any) -> bool:
    return any(permissions.may_upload(user, kind) for kind in ("workers", "payments"))


# The Kepling's phone menu is short and named for them; everyone else gets the office menu.
LINKS = (
    NavLink(_("Home"), "home", lambda u: True),
    NavLink(_("Register a worker"), "workers:register", lambda u: _kepling(u) and permissions.may_register(u)),
    NavLink(_("My workers"), "workers:list", lambda u: _kepling(u) and permissions.may_view_workers(u)),
    NavLink(_("Follow-up"), "reminders:follow_up", lambda u: _kepling(u) and permissions.may_follow_up(u)),
    NavLink(_("Dashboard"), "dashboards:home", permissions.may_view_dashboards),
    NavLink(_("Workers"), "workers:list", lambda u: _not_kepling(u) and permissions.may_view_workers(u)),
    NavLink(_("Find a person"), "dashboards:search", permissions.may_view_dashboards),
    NavLink(_("Kepling progress"), "dashboards:kepling", permissions.may_view_dashboards),
    NavLink(_("Rankings"), "dashboards:rankings", permissions.may_view_dashboards),
    NavLink(_("Queues"), "dashboards:queues", permissions.may_decide),
    NavLink(_("Escalated reminders"), "reminders:escalations", permissions.may_view_escalations),
    NavLink(_("Effect of reminders"), "reminders:effect", permissions.may_view_escalations),
    NavLink(_("Reports"), "reports:choose", permissions.may_view_dashboards),
    NavLink(_("Imports"), "imports:list", _any_upload),
    NavLink(_("Reconciliation"), "reconciliation:queue", permissions.may_view_reconciliation),
    NavLink(_("Audit log"), "audit_log", permissions.may_view_audit),
    NavLink(_("Accounts"), "account_list", permissions.may_manage_accounts),
    NavLink(_("Kepling accounts"), "kepling_accounts", permissions.may_reset_kepling_passwords),
    NavLink(_("Hand over a lingkungan"), "hand_over", permissions.may_hand_over_lingkungan),
    NavLink(_("Lingkungan and targets"), "regions:kelurahan_list", permissions.may_manage_lingkungan),
    NavLink(_("Reminder rules"), "reminders:rules", permissions.may_manage_reminder_rules),
    NavLink(_("Payment channels"), "reminders:channels", permissions.may_manage_payment_channels),
    NavLink(_("Data-subject requests"), "workers:subject", permissions.may_handle_data_subject_requests),
    NavLink(_("Administration"), "admin:index", permissions.may_manage_accounts, staff_only=True),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str | None
    current: bool


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _visible(link: NavLink, user: Any) -> bool:
    if link.staff_only and not user.is_staff:
        return False
    return link.visible(user)


@register.simple_tag(takes_context=True)
def main_nav(context: template.Context) -> list[NavItem]:
    """The links the user's role may use; `url` is None for pages not built yet."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    path = request.path if request is not None else ""
    entries: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for link in LINKS:
        if not _visible(link, user) or link.url_name in seen:
            continue
        seen.add(link.url_name)
        entries.append((str(link.label), _url(link.url_name)))
    # The entry whose address is the longest prefix of the page is the current one, so
    # "/pekerja/daftar/" marks "Register a worker", not "My workers" ("/pekerja/").
    matches = [url for _, url in entries if url and (path == url or (url != "/" and path.startswith(url)))]
    current = max(matches, key=len, default=None)
    return [NavItem(label, url, url is not None and url == current) for label, url in entries]
