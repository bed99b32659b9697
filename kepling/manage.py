"""The `kepling` command: the project's manage.py as a console script."""

import os
import sys


def main() -> None:
    """Run a Django management command with Kepling's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
