"""The `kepling` command: the project's manage.py as a console script.

An operator's mistake (a wrong DATABASE_URL, a missing or read-only VAR_DIR, a database that
cannot be reached, a full disk) ends in one sentence saying what to fix, not a traceback.
"""

import errno
import os
import sys

MINIMUM_PYTHON = (3, 11)
# Commands that may create the SQLite file; every other one refuses a missing file.
CREATING_COMMANDS = {"migrate", "restore"}


def _check_python() -> None:
    if sys.version_info < MINIMUM_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        sys.exit(f"Kepling needs Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer; this is Python {found}.")


def _stop(sentence: str) -> None:
    sys.stderr.write(f"kepling: {sentence}\n")
    sys.exit(2)


def main() -> None:
    """Run a Django management command with Kepling's settings."""
    _check_python()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CREATING_COMMANDS:
        os.environ.setdefault("KEPLING_CREATE_DATABASE", "1")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError, InterfaceError, OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        _stop(f"the configuration cannot be used: {exc}")
    except (OperationalError, InterfaceError) as exc:
        _stop(_database_sentence(exc))
    except DatabaseError as exc:
        if "no such table" in str(exc) or "does not exist" in str(exc):
            _stop("the database has no Kepling tables yet: run `kepling migrate` first.")
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            _stop(f"the disk is full ({exc.filename or 'while writing'}): free some space and run the command again.")
        if exc.errno in {errno.EACCES, errno.EROFS}:
            _stop(f"{exc.filename or 'a file'} cannot be written by this user ({exc.strerror}).")
        raise


def _database_sentence(exc: Exception) -> str:
    from django.conf import settings
    from django.db import connection

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if connection.vendor == "sqlite":
        path = getattr(settings, "SQLITE_PATH", "")
        if "unable to open" in first and path and not os.path.exists(path):  # noqa: PTH110
            return (
                f"the SQLite database {path} does not exist: check DATABASE_URL, or create it with `kepling migrate`."
            )
        return f"the SQLite database {path} cannot be used: {first}."
    where = connection.settings_dict.get("HOST") or "localhost"
    name = connection.settings_dict.get("NAME")
    return f"the database {name} on {where} cannot be reached or refused the connection: {first}."


if __name__ == "__main__":
    main()
