"""`kepling serve [--bind HOST:PORT]`: the production web server (gunicorn), static files included.

Workers and threads come from the environment (WEB_CONCURRENCY, WEB_THREADS, WEB_TIMEOUT); the
static files are collected first, then served by the app itself (whitenoise), compressed and
under hashed names. Put a reverse proxy with TLS in front (docs/operations.md).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else default


def gunicorn_options(bind: str) -> dict[str, Any]:
    """Gunicorn's settings for Kepling: several processes, a few threads each, JSON logs."""
    cores = os.cpu_count() or 1
    return {
        "bind": bind,
        "workers": _int_env("WEB_CONCURRENCY", min(2 * cores + 1, 8)),
        "threads": _int_env("WEB_THREADS", 4),
        "timeout": _int_env("WEB_TIMEOUT", 120),  # an upload of a large extract is checked in the request
        "graceful_timeout": 30,
        "max_requests": _int_env("WEB_MAX_REQUESTS", 2000),
        "max_requests_jitter": 200,
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "accesslog": None,  # the app logs each request itself, with its request id
        "control_socket_disable": True,  # several servers may run on one machine (the CI, a load test)
        "logconfig_dict": {"version": 1, "disable_existing_loggers": False, **_gunicorn_logging()},
    }


def _gunicorn_logging() -> dict[str, Any]:
    formatter = "json" if settings.LOG_FORMAT == "json" else "text"
    logging_config: dict[str, Any] = settings.LOGGING
    return {
        "formatters": logging_config["formatters"],
        "filters": logging_config["filters"],
        "handlers": {"console": {**logging_config["handlers"]["console"], "formatter": formatter}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


class Command(BaseCommand):
    help = "Serve Kepling with gunicorn (production): several worker processes, static files served by the app."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("KEPLING_BIND", "127.0.0.1:8000"), help="HOST:PORT")
        parser.add_argument("--no-collectstatic", action="store_true", help="static files are already collected")

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        call_command("check", deploy=not settings.DEBUG, fail_level="ERROR")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        options_for_gunicorn = gunicorn_options(options["bind"])

        class KeplingServer(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in options_for_gunicorn.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from config.wsgi import application

                return application

        self.stdout.write(
            f"Kepling on http://{options['bind']} ({options_for_gunicorn['workers']} processes x "
            f"{options_for_gunicorn['threads']} threads)"
        )
        self.stdout.flush()
        KeplingServer().run()
