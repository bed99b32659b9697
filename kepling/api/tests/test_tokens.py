"""Token lifecycle: created, used, revoked; stored hashed; managed by the owner or Admin kota."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from kepling.api.actions import create_api_token, revoke_api_token
from kepling.api.models import ApiToken
from kepling.api.tests.conftest import ApiClient, assert_error
from kepling.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_a_token_works_until_it_is_revoked(kepling_user):
    token, key = create_api_token(by=kepling_user, user=kepling_user, name="script")
    client = ApiClient(key)
    assert client.get("/wilayah").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    revoke_api_token(by=kepling_user, token=token)
    assert_error(client.get("/wilayah"), 401, "not_authenticated")
    actions = set(AuditLog.objects.filter(object_type="api_token").values_list("action", flat=True))
    assert actions == {"api_token_created", "api_token_revoked"}


def test_the_plain_key_is_stored_nowhere(kepling_user):
    _token, key = create_api_token(by=kepling_user, user=kepling_user, name="script")
    ApiClient(key).get("/wilayah")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                assert not any(key in str(value) for value in row), table
                assert not any(key[4:] in str(value) for value in row), table


def test_unknown_malformed_and_inactive_user_tokens_are_refused(kepling_user):
    assert_error(ApiClient("kpl_not-a-real-key").get("/wilayah"), 401, "not_authenticated")
    assert_error(ApiClient("garbage").get("/wilayah"), 401, "not_authenticated")
    _token, key = create_api_token(by=kepling_user, user=kepling_user, name="script")
    kepling_user.is_active = False
    kepling_user.save()
    assert_error(ApiClient(key).get("/wilayah"), 401, "not_authenticated")


def test_anonymous_gets_401_with_the_error_shape(city):
    response = ApiClient(None).get("/workers")
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert "token" in error["message"].lower()


def test_tokens_through_the_api(api_as, kepling_user, other_kepling):
    client = api_as(kepling_user)
    created = client.post("/tokens", {"name": "laptop"})
    assert created.status_code == 201
    body = created.json()
    assert body["key"].startswith(body["prefix"])
    assert ApiClient(body["key"]).get("/wilayah").status_code == 200

    listed = client.get("/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "laptop"}
    assert all("key" not in t for t in listed)

    others = api_as(other_kepling)
    assert_error(others.delete(f"/tokens/{body['id']}"), 404, "not_found")
    assert_error(others.post("/tokens", {"name": "x", "username": kepling_user.username}), 403, "forbidden")

    revoked = client.delete(f"/tokens/{body['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_error(ApiClient(body["key"]).get("/wilayah"), 401, "not_authenticated")


def test_admin_kota_creates_and_revokes_tokens_of_others(api_as, admin_kota, kepling_user):
    admin = api_as(admin_kota)
    created = admin.post("/tokens", {"name": "for kepling", "username": kepling_user.username})
    assert created.status_code == 201
    token = ApiToken.objects.get(pk=created.json()["id"])
    assert token.user == kepling_user and token.created_by == admin_kota
    assert admin.delete(f"/tokens/{token.pk}").status_code == 200
    assert_error(admin.post("/tokens", {"name": "x", "username": "nobody"}), 422, "validation_error")


def test_a_blank_name_is_refused(api_as, kepling_user):
    error = assert_error(api_as(kepling_user).post("/tokens", {"name": "   "}), 422, "validation_error")
    assert error["details"][0]["field"] == "name"


def test_the_command_prints_a_working_key(kepling_user):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", kepling_user.username, "--name", "cron", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert ApiClient(key).get("/wilayah").status_code == 200
    assert "cron" in err.getvalue()
