"""Every link and form the app prints leads somewhere: a crawl from each role's home.

Signs in as each demo account, then follows the links (`a[href]`) and form actions of every
page it reaches, breadth first. URLs are grouped by their route and query keys, and a few of
each group are fetched, so the crawl covers every kind of page without visiting 41,000 workers.
A link the app itself printed must never answer 404, and no page may answer 5xx.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.scenario

ROLES = ["admin", "pimpinan", "bpjs", "camat", "lurah", "kepling"]
PER_PATTERN = 3  # URLs fetched per (route, query keys) group
MAX_URLS = 400  # per role
# Not pages to crawl: signing out ends the crawl, the Django admin and the API docs are not the app's pages.
SKIP_PREFIXES = ("/keluar/", "/admin/", "/api/", "/static/", "/media/")
# Report files are built by their own tests: a city workbook per role would only slow the crawl.
DOWNLOAD_KEYS = {"format"}


class _Links(HTMLParser):
    """Collects hrefs of links, the actions of forms, and GET forms submitted with their defaults."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "a" and values.get("href"):
            self.found.append(values["href"])
        elif tag == "form":
            self.found.append(values.get("action", ""))
            if values.get("method", "get").lower() == "get":
                self._form = (values.get("action", ""), [])
        elif self._form is not None:
            self._field(tag, values)

    def _field(self, tag: str, values: dict[str, str]) -> None:
        assert self._form is not None
        kind = values.get("type", "text")
        if tag == "input" and values.get("name") and kind not in {"submit", "button", "checkbox", "radio"}:
            self._form[1].append((values["name"], values.get("value", "")))
        elif tag == "select" and values.get("name"):
            self._select, self._select_value = values["name"], None
        elif tag == "option" and self._select is not None and (self._select_value is None or "selected" in values):
            self._select_value = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._form is not None and self._select is not None:
            self._form[1].append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            # A GET form replaces the query of its action (an empty action is the page itself).
            action, fields = self._form
            self.found.append(f"{action.split('?')[0]}?{urlencode(fields)}")
            self._form = None


@dataclass
class Crawl:
    """What one role's crawl saw."""

    visited: dict[str, int] = field(default_factory=dict)
    broken: list[tuple[str, str, int]] = field(default_factory=list)  # (url, printed on, status)


def _group(url: str) -> tuple[str, tuple[str, ...]] | None:
    """The route name and query keys of a URL: None when no route of the app matches."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    keys = tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    # One group per level of the hierarchy, so the crawl goes down to the lingkungan.
    level = str(match.kwargs.get("kode", "")).count(".")
    return (f"{match.view_name}@{level}", keys)


def _local(href: str, page: str) -> str | None:
    """The same-site path (with query) an href points to, or None for other sites and fragments."""
    if href.startswith(("mailto:", "tel:", "javascript:", "#", "https://wa.me", "whatsapp:")):
        return None
    absolute = urljoin("http://testserver" + page, href)
    parts = urlsplit(absolute)
    if parts.netloc != "testserver" or parts.path.startswith(SKIP_PREFIXES):
        return None
    if DOWNLOAD_KEYS & {key for key, _ in parse_qsl(parts.query)}:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client) -> Crawl:
    """Breadth-first from `/`, a few URLs per group, up to MAX_URLS."""
    seen = Crawl()
    sampled: dict[tuple[str, tuple[str, ...]] | None, int] = defaultdict(int)
    queue: deque[tuple[str, str]] = deque([("/", "(home)")])
    queued = {"/"}
    while queue and len(seen.visited) < MAX_URLS:
        url, printed_on = queue.popleft()
        response = client.get(url, follow=True)
        seen.visited[url] = response.status_code
        if response.status_code == 404 or response.status_code >= 500:
            seen.broken.append((url, printed_on, response.status_code))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.redirect_chain[-1][0] if response.redirect_chain else url
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.found:
            target = _local(href, urlsplit(page).path)
            if target is None or target in queued:
                continue
            group = _group(target)
            if sampled[group] >= PER_PATTERN:
                continue
            sampled[group] += 1
            queued.add(target)
            queue.append((target, url))
    return seen


@pytest.mark.parametrize("username", ROLES)
def test_every_printed_link_answers(username: str) -> None:
    client = Client()
    signed_in = client.post("/masuk/", {"username": username, "password": "kepling-demo"})
    assert signed_in.status_code == 302, f"{username} cannot sign in"
    seen = crawl(client)
    assert len(seen.visited) > 10, f"{username}'s home leads nowhere: {seen.visited}"
    assert seen.broken == [], f"{username}: {len(seen.broken)} broken of {len(seen.visited)}: {seen.broken}"


