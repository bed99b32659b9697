"""Acceptance on the reference scenario: reminders queue once for 29 Oct 2025, however often run."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.scenario


def test_send_reminders_twice_on_the_reference_date(demo_site):
    first = json.loads(demo_site.kepling("send_reminders", "--as-of", "2025-10-29", "--json"))
    second = json.loads(demo_site.kepling("send_reminders", "--as-of", "2025-10-29", "--json"))
    assert first["queued"] > 0
    assert second["queued"] == 0
    assert second["already_queued"] == first["queued"]
