"""Query-string helpers for sortable, paginated dashboard tables: `{% load dashboard_tags %}`."""

from __future__ import annotations

from django import template
from django.http import QueryDict
from django.utils.html import format_html

from kepling.contributions.as_of import picker_span

register = template.Library()


@register.simple_tag(takes_context=True)
def with_query(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (None or '' drops them)."""
    request = context["request"]
    query: QueryDict = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_query(context: template.Context, key: str) -> str:
    """The query string that sorts by `key`: descending first for figures, toggling when already sorted."""
    current, descending = context.get("sort_key"), context.get("sort_desc")
    # Names read best A-Z first; figures are most useful largest first.
    ascending_first = key in {"nama", "kode"}
    toggled = key if descending else f"-{key}"
    order = toggled if current == key else (key if ascending_first else f"-{key}")
    return with_query(context, urut=order, hal=None)


@register.simple_tag(takes_context=True)
def aria_sort(context: template.Context, key: str) -> str:
    """The aria-sort value of a column header."""
    if context.get("sort_key") != key:
        return "none"
    return "descending" if context.get("sort_desc") else "ascending"


@register.simple_tag
def as_of_picker_bounds() -> str:
    """The `min` and `max` attributes of an as-of date picker: the dates that have data."""
    first, last = picker_span()
    return format_html('min="{}" max="{}"', first, last)
