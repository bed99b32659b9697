"""`kepling report --wilayah KODE --as-of DATE --format xlsx|pdf --out PATH`: write a report file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kepling.accounts.scoping import access_wilayah
from kepling.contributions.as_of import InvalidAsOfError, check_as_of
from kepling.core.importing import acting_user
from kepling.regions.models import Wilayah
from kepling.reports.builder import FORMATS, export


class Command(BaseCommand):
    help = "Write the program report of a wilayah node as an Excel workbook or a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wilayah", required=True, help="Kemendagri code, e.g. 12.71 or 12.71.01")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today, Asia/Jakarta)")
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--by", help="username whose view the report takes (scope and NIK masking)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = check_as_of(options["as_of"]).date if options["as_of"] else timezone.localdate()
        except InvalidAsOfError as error:
            raise CommandError(f"--as-of: {error.message}") from None
        user = acting_user(options.get("by"))
        kode = options["wilayah"].strip()
        node = access_wilayah(user, kode) if user is not None else Wilayah.objects.filter(kode=kode).first()
        if node is None:
            raise CommandError(f"No wilayah with code '{kode}'.")
        content, _name = export(user, node, as_of, options["format"])
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        self.stdout.write(f"{out} ({len(content)} bytes)")
