"""Report tests assert on English message ids and run tasks in the test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.utils import translation

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def english_and_immediate_tasks(settings, tmp_path) -> Iterator[None]:
    settings.VAR_DIR = tmp_path / "var"
    with translation.override("en"), override_settings(TASKS=IMMEDIATE):
        yield
