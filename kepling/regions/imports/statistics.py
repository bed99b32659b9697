"""Importing labour force and active BPJS participants per wilayah and date."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext

from kepling.accounts.models import User
from kepling.core.tabular import ImportResult
from kepling.regions.actions import save_statistic
from kepling.regions.imports.common import RowCheck, run_import
from kepling.regions.models import Wilayah


@dataclass
class _StatisticsFile:
    by: User | None
    seen: dict[str, int] = field(default_factory=dict)

    def apply(self, number: int, record: dict[str, str]) -> str:
        check = RowCheck()
        kode = record["kode"].strip()
        wilayah = Wilayah.objects.filter(kode=kode).first()
        if wilayah is None:
            check.add("kode", gettext("Unknown wilayah code '%(kode)s'."), kode=kode)
        labour_force = check.count(record, "angkatan_kerja")
        participants = check.count(record, "peserta_aktif_bpjs")
        day = check.date(record, "per_tanggal")
        if labour_force is not None and participants is not None and participants > labour_force:
            message = gettext(
                "%(participants)s active BPJS participants is more than the labour force of "
                "%(labour)s: participants are part of the labour force, so check both figures."
            )
            check.add("peserta_aktif_bpjs", message, participants=participants, labour=labour_force)
        if day is not None:
            check.unique(self.seen, f"{kode} {day.isoformat()}", number, "per_tanggal")
        check.finish()
        assert wilayah is not None and day is not None
        assert labour_force is not None and participants is not None
        _, outcome = save_statistic(
            by=self.by,
            wilayah=wilayah,
            per_tanggal=day,
            angkatan_kerja=labour_force,
            peserta_aktif_bpjs=participants,
        )
        return outcome


def import_statistics(path: str | Path, *, by: User | None, dry_run: bool = False) -> ImportResult:
    """Set labour force and active BPJS participants per wilayah and date."""
    return run_import(
        path,
        required=["kode", "angkatan_kerja", "peserta_aktif_bpjs", "per_tanggal"],
        optional=[],
        handle=_StatisticsFile(by=by).apply,
        dry_run=dry_run,
    )
