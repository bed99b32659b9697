"""Templates ask the permissions module too: `{% load kepling_permissions %}{% if user|may:"reveal_nik" %}`."""

from __future__ import annotations

from typing import Any

from django import template

from kepling.accounts.permissions import Right, has_right

register = template.Library()


@register.filter
def may(user: Any, right: str) -> bool:
    """Whether the user's role holds the named right (see `accounts.permissions.Right`)."""
    try:
        return has_right(user, Right(right))
    except ValueError:
        # A misspelt right in a template must hide the thing, never show it.
        return False
