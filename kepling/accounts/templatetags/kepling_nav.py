"""The main navigation, adapted to the signed-in user's role: `{% main_nav as items %}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kepling.accounts.models import Role

register = template.Library()

EVERYONE = frozenset(Role)
AREA_HEADS = frozenset({Role.LURAH, Role.CAMAT})
CITY_READERS = frozenset({Role.ADMIN_KOTA, Role.PIMPINAN, Role.PETUGAS_BPJS})


@dataclass(frozen=True)
class NavLink:
    """A menu entry: a URL name and who sees it. Pages not built yet render as 'coming soon'."""

    label: Promise
    url_name: str
    roles: frozenset[Role]
    staff_only: bool = False


REGISTRARS = AREA_HEADS | {Role.KEPLING, Role.ADMIN_KOTA, Role.PETUGAS_BPJS}

LINKS = (
    NavLink(_("Home"), "home", EVERYONE),
    NavLink(_("Register a worker"), "workers:register", frozenset({Role.KEPLING})),
    NavLink(_("My workers"), "workers:list", frozenset({Role.KEPLING})),
    NavLink(_("Follow-up"), "reminders:follow_up", frozenset({Role.KEPLING})),
    NavLink(_("Dashboard"), "dashboards:home", AREA_HEADS | CITY_READERS),
    NavLink(_("Workers"), "workers:list", AREA_HEADS | CITY_READERS),
    NavLink(_("Find a person"), "dashboards:search", AREA_HEADS | CITY_READERS),
    NavLink(_("Kepling progress"), "dashboards:kepling", AREA_HEADS | CITY_READERS),
    NavLink(_("Rankings"), "dashboards:rankings", AREA_HEADS | CITY_READERS),
    NavLink(_("Queues"), "dashboards:queues", AREA_HEADS | {Role.ADMIN_KOTA}),
    NavLink(_("Escalated reminders"), "reminders:escalations", AREA_HEADS | {Role.ADMIN_KOTA, Role.PIMPINAN}),
    NavLink(_("Effect of reminders"), "reminders:effect", AREA_HEADS | {Role.ADMIN_KOTA, Role.PIMPINAN}),
    NavLink(_("Reports"), "reports:choose", AREA_HEADS | CITY_READERS),
    NavLink(_("Imports"), "imports:list", REGISTRARS),
    NavLink(_("Reconciliation"), "reconciliation:queue", AREA_HEADS | CITY_READERS),
    NavLink(_("Audit log"), "audit_log", frozenset({Role.ADMIN_KOTA})),
    NavLink(_("Kepling accounts"), "kepling_accounts", frozenset({Role.LURAH, Role.ADMIN_KOTA})),
    NavLink(_("Hand over a lingkungan"), "hand_over", frozenset({Role.ADMIN_KOTA})),
    NavLink(_("Administration"), "admin:index", frozenset({Role.ADMIN_KOTA}), staff_only=True),
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
    # A superuser without a role (created with `createsuperuser`) works as the city administrator.
    role = Role.ADMIN_KOTA if user.is_superuser else user.role
    if link.staff_only and not user.is_staff:
        return False
    return role in link.roles


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
