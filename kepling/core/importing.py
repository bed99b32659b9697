"""What every `kepling import_*` command shares: arguments, the acting user, file errors, the report."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kepling.core.tabular import ImportResult, UnusableFileError


def acting_user(username: str | None) -> Any:
    """The active user an import is recorded against (`--by`), or None for the system."""
    if not username:
        return None
    from kepling.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("No active account named '%(name)s'.") % {"name": username})
    return user


class ImportCommand(BaseCommand):
    """A thin command around one import function: subclasses implement `run_import`."""

    takes_path = True
    offers_dry_run = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        if self.takes_path:
            parser.add_argument("path", help="CSV or XLSX file")
        if self.offers_dry_run:
            parser.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.add_argument("--by", metavar="USERNAME", help="the user recorded in the audit log")

    def run_import(self, options: dict[str, Any], by: Any) -> ImportResult:
        raise NotImplementedError

    def extra_report(self, result: ImportResult, options: dict[str, Any]) -> dict[str, Any]:
        """Keys added to the report after the counts."""
        return {}

    def after_import(self, result: ImportResult) -> None:
        """Work a command may wait for once the file is applied (the web leaves it to the task worker)."""

    def handle(self, *args: Any, **options: Any) -> None:
        by = acting_user(options.get("by"))
        try:
            result = self.run_import(options, by)
        except UnusableFileError as exc:
            raise CommandError(str(exc)) from exc
        if result.applied and not options.get("dry_run"):
            self.after_import(result)
        report = {**result.as_dict(), **self.extra_report(result, options)}
        if options.get("dry_run"):
            report["dry_run"] = True
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(format_report(report))


def format_report(report: dict[str, Any]) -> str:
    """The counts one per line, then each rejected row as `row N, column: message`."""
    lines = [f"{key}: {report[key]}" for key in ("rows", "applied", "already_present", "rejected")]
    if report.get("dry_run"):
        lines.insert(0, _("Dry run: nothing was changed."))
    lines += [f"row {e['row']}, {e['column']}: {e['message']}" for e in report["errors"]]
    lines += [f"warning: row {w['row']}, {w['column']}: {w['message']}" for w in report.get("warnings", [])]
    lines += [
        f"{key}: {value}"
        for key, value in report.items()
        if key not in {"rows", "applied", "already_present", "rejected", "errors", "warnings", "dry_run"}
        and value is not None
    ]
    return "\n".join(lines)
