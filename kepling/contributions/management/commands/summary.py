"""`kepling summary`: the program figures of a node as of a date."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kepling.contributions.as_of import InvalidAsOfError, check_as_of
from kepling.contributions.summaries import node_summary, refresh_summaries
from kepling.regions.models import Wilayah

LABELS = [
    ("target", _("Target")),
    ("registered", _("Registered")),
    ("protected", _("Protected")),
    ("remaining", _("Remaining")),
    ("progress_pct", _("Progress (%)")),
    ("kepling_shortfall", _("Kepling shortfall")),
    ("paid_one_month_only", _("Paid one month only")),
    ("active", _("Active")),
    ("in_arrears", _("In arrears")),
    ("inactive", _("Inactive")),
    ("never_paid", _("Never paid")),
    ("labour_force", _("Labour force")),
    ("bpjs_active_participants", _("Active BPJS participants")),
    ("coverage_pct", _("Coverage (%)")),
    ("kecamatan", _("Kecamatan")),
    ("kelurahan", _("Kelurahan")),
    ("lingkungan", _("Lingkungan")),
]


class Command(BaseCommand):
    help = "Print the program figures of a wilayah node (default: the city, today)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wilayah", help="Kemendagri code of the node, e.g. 12.71 or 12.71.01.1001")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today, Asia/Jakarta)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = self._as_of(options["as_of"])
        node = self._node(options["wilayah"])
        refresh_summaries([as_of])  # a command may wait for the job; a page never does
        figures = node_summary(node, as_of)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self.stdout.write(f"{node.kode} {node.nama} ({node.tingkat}), per {as_of.isoformat()}")
        for key, label in LABELS:
            value = figures[key]
            self.stdout.write(f"  {label!s:<26} {'-' if value is None else value}")

    @staticmethod
    def _as_of(text: str | None) -> datetime.date:
        if not text:
            return timezone.localdate()
        try:
            return check_as_of(text).date
        except InvalidAsOfError as error:
            raise CommandError(f"--as-of: {error.message}") from None

    @staticmethod
    def _node(kode: str | None) -> Wilayah:
        if kode:
            node = Wilayah.objects.filter(kode=kode.strip()).first()
            if node is None:
                raise CommandError(f"No wilayah with code '{kode}'. Load it first (kepling load_wilayah).")
            return node
        root = Wilayah.objects.filter(parent__isnull=True).order_by("kode").first()
        if root is None:
            raise CommandError("No wilayah loaded yet: run `kepling load_wilayah` first.")
        return root
