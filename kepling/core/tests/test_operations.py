"""What an operator sees: /healthz, logs with a request id, the error pages, mistakes in one sentence."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

from kepling.core.observability import JsonFormatter, RequestIdFilter
from kepling.testing import make_worker


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_healthz_reports_database_queue_and_ages_without_personal_data(city):
    worker = make_worker(city.lingkungan[0], nama="Siti Rahmawati")
    answer = Client().get("/healthz")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    body = answer.json()
    assert body["status"] == "ok" and body["database"]["ok"] is True
    assert body["task_queue"] == {"ready": 0, "running": 0, "lag_seconds": 0.0}
    assert body["latest_bpjs_extract"] == {"at": None, "age_hours": None}
    assert set(body["last_reminders_run"]) == {"at", "age_hours"}
    assert worker.nama not in answer.content.decode() and worker.nik_masked not in answer.content.decode()


@pytest.mark.django_db
def test_healthz_answers_503_when_the_task_queue_lags(city, settings):
    from kepling.imports.tasks import apply_import_job

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.HEALTHZ_MAX_QUEUE_LAG_SECONDS = -1  # any waiting task is too old
    apply_import_job.enqueue(999_999)
    answer = Client().get("/healthz")
    assert answer.status_code == 503 and answer.json()["status"] == "fail"
    assert answer.json()["task_queue"]["ready"] == 1


@pytest.mark.django_db
def test_a_request_gets_an_id_and_one_json_log_line(city, caplog):
    with caplog.at_level(logging.INFO, logger="kepling.requests"):
        answer = Client().get("/masuk/?nik=1271011505900001", HTTP_X_REQUEST_ID="proxy-abc-12345")
    assert answer["X-Request-ID"] == "proxy-abc-12345"
    [record] = [r for r in caplog.records if r.name == "kepling.requests"]
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["path"] == "/masuk/" and entry["status"] == 200 and entry["method"] == "GET"
    assert "1271011505900001" not in line  # no query string in the logs
    other = Client().get("/masuk/", HTTP_X_REQUEST_ID="bad id with spaces")
    assert other["X-Request-ID"] != "bad id with spaces" and len(other["X-Request-ID"]) == 32


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_answers_the_indonesian_500_page(city):
    client = Client(raise_request_exception=False)
    answer = client.get("/boom/")
    assert answer.status_code == 500
    assert "Terjadi kesalahan" in answer.content.decode()
    assert "a bug" not in answer.content.decode()


def _kepling(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["DEBUG"] = "1"  # the development keys; the mistakes under test are others
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "kepling.manage", *args], env=environment, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("env", "sentence"),
    [
        ({"DATABASE_URL": ""}, "DATABASE_URL is set but empty"),
        ({"DATABASE_URL": "mysqlx://db/kepling"}, "is not a supported database"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/kepling"}, "cannot be reached"),
        ({"DATABASE_URL": "sqlite:////nonexistent-folder/kepling.sqlite3"}, "does not exist"),
        ({"KEPLING_VAR_DIR": "/proc/kepling-var"}, "KEPLING_VAR_DIR /proc/kepling-var cannot be created"),
    ],
)
def test_operator_mistakes_end_in_one_sentence(env, sentence):
    done = _kepling("showmigrations", "core", **env)
    assert done.returncode == 2
    assert sentence in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_mistyped_sqlite_path_is_not_created_but_migrate_creates_it(tmp_path: Path):
    database = tmp_path / "kepling.sqlite3"
    url = f"sqlite:///{database}"
    done = _kepling("showmigrations", "core", DATABASE_URL=url, KEPLING_VAR_DIR=str(tmp_path))
    assert done.returncode == 2 and "does not exist" in done.stderr and "kepling migrate" in done.stderr
    assert not database.exists()
    assert _kepling("migrate", "core", "-v0", DATABASE_URL=url, KEPLING_VAR_DIR=str(tmp_path)).returncode == 0
    assert database.exists()
    assert _kepling("showmigrations", "core", DATABASE_URL=url, KEPLING_VAR_DIR=str(tmp_path)).returncode == 0
