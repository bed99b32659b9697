"""Helpers for the API tests: a token per persona and a client that sends it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kepling.accounts.models import User
from kepling.api.actions import create_api_token


def _clear_counts() -> None:
    # The counts live in the database cache: a test without database access has none to clear.
    with contextlib.suppress(RuntimeError):
        cache.clear()


@pytest.fixture(autouse=True)
def fresh_throttle_counts() -> Iterator[None]:
    _clear_counts()
    yield
    _clear_counts()


class ApiClient:
    """A test client that calls /api/v1/ with one Bearer key."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}", headers=self.headers)

    def upload(self, path: str, name: str, content: bytes, **form: Any) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"file": SimpleUploadedFile(name, content), **form}
        return self.client.post(f"/api/v1{path}", data, headers=self.headers)


@pytest.fixture
def api_as() -> Callable[[User | None], ApiClient]:
    """`api_as(user)` gives a client with a fresh token of that user; `api_as(None)` is anonymous."""

    def make(user: User | None) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _token, key = create_api_token(by=user, user=user, name="tests")
        return ApiClient(key)

    return make


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response has the error shape with this status and code; returns the error object."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return dict(error)
