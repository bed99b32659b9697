"""The API's rate limit is counted in the database, where every web process sees the same count."""

from __future__ import annotations

from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import override_settings

from kepling.api.tests.conftest import assert_error


@override_settings(KEPLING_API_RATE="3/m")
def test_requests_counted_by_one_process_are_seen_by_another(api_as, city, kepling_user):
    client = api_as(kepling_user)
    assert [client.get("/wilayah").status_code for _ in range(3)] == [200, 200, 200]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kepling_cache")
        assert cursor.fetchone()[0] >= 1  # in the shared table, not in this process's memory

    # A second web process has its own cache object over the same table: it sees the three requests.
    other_process = DatabaseCache("kepling_cache", {})
    [key] = [k for k in _keys() if "kepling_api" in k]
    assert len(other_process.get(key.split(":", 2)[-1])) == 3
    assert_error(client.get("/wilayah"), 429, "throttled")


def _keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM kepling_cache")
        return [key for (key,) in cursor.fetchall()]
