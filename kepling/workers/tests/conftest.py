"""Registry tests assert on the English message ids, whatever the default language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Assert on the English message ids, whatever the default language."""
    with translation.override("en"):
        yield
