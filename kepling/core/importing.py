"""Shared behaviour of the `kepling import_*` commands: arguments, output and exit status."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kepling.core.tabular import ImportResult, UnusableFileError


def acting_user(username: str | None) -> Any:
    """The user an import is recorded against (`--by`), or None for the system."""
    if not username:
        return None
    from kepling.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user named '%(name)s'.") % {"name": username})
    return user


def write_result(command: BaseCommand, result: ImportResult, *, as_json: bool) -> None:
    """Print the contract's counts: one JSON object with --json, readable lines otherwise."""
    if as_json:
        command.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    command.stdout.write(
        f"rows: {result.rows}  applied: {result.applied}  already_present: {result.already_present}  "
        f"rejected: {result.rejected}"
    )
    for error in result.errors:
        command.stdout.write(f"  {_('row')} {error.row}, {error.column}: {error.message}")
    for warning in result.warnings:
        command.stdout.write(f"  {_('warning')} {_('row')} {warning.row}, {warning.column}: {warning.message}")


class ImportCommand(BaseCommand):
    """A command that applies one file with one import function."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV (UTF-8, comma or semicolon) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, change nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.add_argument("--by", help="username the change is recorded against")

    def run_import(self, apply: Callable[..., ImportResult], options: dict[str, Any]) -> None:
        try:
            result = apply(Path(options["path"]), by=acting_user(options.get("by")), dry_run=options["dry_run"])
        except UnusableFileError as exc:
            raise CommandError(str(exc)) from exc
        write_result(self, result, as_json=options["json"])
