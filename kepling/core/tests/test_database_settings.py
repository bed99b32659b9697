"""Settings every PostgreSQL connection of the app runs with."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_compile_no_statement() -> None:
    # JIT compilation cost seconds per page on the city's lists (config/settings.py).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
