"""`kepling check_keys`: report keys of the bulk-written tables that point at a missing row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kepling.core.keys import dangling_keys, unchecked_keys


class Command(BaseCommand):
    help = "Check the foreign keys the database does not check row by row; fails when one points nowhere."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = dangling_keys()
        for problem in problems:
            self.stderr.write(
                f"{problem.table}.{problem.column}: {problem.rows} row(s) name a missing {problem.target} row"
            )
        if problems:
            raise CommandError(f"{len(problems)} key(s) point at missing rows.")
        self.stdout.write(f"{len(unchecked_keys())} unchecked keys checked: every one points at an existing row.")
