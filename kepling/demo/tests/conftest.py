from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def reference_scenario(django_db_setup, django_db_blocker):
    """The reference scenario, built once per test session in the test database."""
    with django_db_blocker.unblock():
        call_command("demo", "--as-of", "2025-10-29", "--seed", "1", "--yes", stdout=StringIO())
    yield


@pytest.fixture(autouse=True)
def _scenario_db_access(reference_scenario, db):
    """Scenario tests read the shared scenario; each test's own writes are rolled back."""
