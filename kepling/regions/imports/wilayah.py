"""Loading the city, its kecamatan and kelurahan, and importing lingkungan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext

from kepling.accounts.models import User
from kepling.core.tabular import ImportResult
from kepling.regions.actions import save_wilayah
from kepling.regions.imports.common import Row, RowCheck, level_lookup, run_import
from kepling.regions.models import KECAMATAN, KELURAHAN, KOTA, LEVEL_KEYS, LINGKUNGAN, Wilayah
from kepling.regions.queries import level_names

DEFAULT_WILAYAH_FILE = Path(__file__).resolve().parent.parent / "data" / "kota_medan_wilayah.csv"

# Kemendagri code shapes: 12.71 (kota), 12.71.01 (kecamatan), 12.71.01.1001 (kelurahan).
CODE_SHAPES = {
    KOTA: re.compile(r"\d{2}\.\d{2}"),
    KECAMATAN: re.compile(r"\d{2}\.\d{2}\.\d{2}"),
    KELURAHAN: re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}"),
}
CODE_EXAMPLES = {KOTA: "12.71", KECAMATAN: "12.71.01", KELURAHAN: "12.71.01.1001"}
# A lingkungan is its parent's code plus two digits; the parent's level is checked separately.
LINGKUNGAN_CODE = re.compile(r"\d{2}(?:\.\d{2,4})+\.\d{2}")


@dataclass
class _WilayahFile:
    by: User | None
    levels: dict[str, int]
    names: dict[int, str]
    file_rows: dict[str, int] = field(default_factory=dict)
    rejected_codes: set[str] = field(default_factory=set)

    def level_of(self, row: Row) -> int:
        return self.levels.get(row[1]["tingkat"].strip().lower(), 99)

    def check_level(self, check: RowCheck, record: dict[str, str]) -> int | None:
        level = self.levels.get(record["tingkat"].strip().lower())
        if level == LINGKUNGAN:
            check.add("tingkat", gettext("Load lingkungan with import_lingkungan, not this file."))
        elif level not in CODE_SHAPES:
            message = gettext("Unknown level '%(value)s'; write one of: %(allowed)s.")
            allowed = ", ".join(LEVEL_KEYS[known] for known in CODE_SHAPES)
            check.add("tingkat", message, value=record["tingkat"], allowed=allowed)
        else:
            return level
        return None

    def check_code(self, check: RowCheck, kode: str, level: int) -> bool:
        if CODE_SHAPES[level].fullmatch(kode):
            return True
        shape = next((other for other, rx in CODE_SHAPES.items() if rx.fullmatch(kode)), None)
        if shape is not None:
            message = gettext("%(kode)s is a %(shape)s code, but the level says %(level)s.")
            check.add(
                "tingkat", message, kode=kode, shape=self.names[shape], level=self.names[level]
            )
        else:
            message = gettext("'%(kode)s' is not a %(level)s code; write it like %(example)s.")
            check.add(
                "kode", message, kode=kode, level=self.names[level], example=CODE_EXAMPLES[level]
            )
        return False

    def find_parent(
        self, check: RowCheck, kode: str, level: int, kode_induk: str
    ) -> Wilayah | None:
        if kode_induk and not kode.startswith(kode_induk + "."):
            message = gettext("The code %(kode)s does not start with its parent's code %(parent)s.")
            check.add("kode_induk", message, kode=kode, parent=kode_induk)
            return None
        if level == KOTA:
            return None  # The city is the root; its province is not part of the tree.
        parent = Wilayah.objects.filter(kode=kode_induk).first() if kode_induk else None
        if kode_induk in self.rejected_codes:
            message = gettext(
                "The parent %(parent)s (row %(row)s) was rejected; fix that row first."
            )
            check.add("kode_induk", message, parent=kode_induk, row=self.file_rows[kode_induk])
        elif parent is None:
            message = gettext(
                "Unknown parent code '%(parent)s': add it to the file or load it first."
            )
            check.add("kode_induk", message, parent=kode_induk)
        elif parent.level != level - 1:
            message = gettext(
                "The parent %(parent)s is a %(found)s; a %(level)s belongs to a %(wanted)s."
            )
            check.add(
                "kode_induk",
                message,
                parent=kode_induk,
                found=self.names[parent.level],
                level=self.names[level],
                wanted=self.names[level - 1],
            )
        return parent

    def check_stored(self, check: RowCheck, kode: str, level: int, parent: Wilayah | None) -> None:
        """A stored node keeps its level and its parent: moving a node is not an import's job."""
        node = Wilayah.objects.filter(kode=kode).select_related("parent").first()
        if node is None:
            return
        if node.level != level:
            message = gettext("%(kode)s is already stored as a %(level)s.")
            check.add("tingkat", message, kode=kode, level=self.names[node.level])
        elif parent is not None and node.parent_id != parent.pk:
            message = gettext("%(kode)s is already stored under %(parent)s.")
            check.add(
                "kode_induk", message, kode=kode, parent=node.parent.kode if node.parent else "-"
            )

    def apply(self, number: int, record: dict[str, str]) -> str:
        kode = record["kode"].strip()
        check = RowCheck()
        check.unique(self.file_rows, kode, number, "kode")
        level = self.check_level(check, record)
        nama = check.name(record)
        parent = None
        if level is not None and self.check_code(check, kode, level):
            parent = self.find_parent(check, kode, level, record["kode_induk"].strip())
            if check.ok:
                self.check_stored(check, kode, level, parent)
        if not check.ok and self.file_rows.get(kode) == number:
            self.rejected_codes.add(kode)  # A later duplicate leaves the first row's outcome alone.
        check.finish()
        assert level is not None
        kode_pos = record.get("kode_pos", "").strip()
        _, outcome = save_wilayah(
            by=self.by, kode=kode, nama=nama, level=level, parent=parent, kode_pos=kode_pos
        )
        return outcome


def load_wilayah(
    path: str | Path = DEFAULT_WILAYAH_FILE, *, by: User | None, dry_run: bool = False
) -> ImportResult:
    """Load a city, its kecamatan and kelurahan (kode, tingkat, nama, kode_induk, kode_pos)."""
    wilayah_file = _WilayahFile(by=by, levels=level_lookup(), names=level_names())
    # Parents before children, whatever the file's order.
    return run_import(
        path,
        required=["kode", "tingkat", "nama", "kode_induk"],
        optional=["kode_pos"],
        handle=wilayah_file.apply,
        dry_run=dry_run,
        order=lambda row: (wilayah_file.level_of(row), row[0]),
    )


@dataclass
class _LingkunganFile:
    by: User | None
    reason: str
    names: dict[int, str]
    seen: dict[str, int] = field(default_factory=dict)

    def find_parent(self, check: RowCheck, kode: str) -> Wilayah | None:
        if not LINGKUNGAN_CODE.fullmatch(kode):
            message = gettext(
                "'%(kode)s' is not a lingkungan code; write the kelurahan code, a dot "
                "and two digits, like 12.71.01.1001.03."
            )
            check.add("kode", message, kode=kode)
            return None
        parent_code = kode.rsplit(".", 1)[0]
        parent = Wilayah.objects.filter(kode=parent_code).first()
        if parent is None:
            message = gettext(
                "Unknown %(level)s %(parent)s: load the wilayah first (load_wilayah)."
            )
            check.add("kode", message, level=self.names[KELURAHAN], parent=parent_code)
        elif parent.level != KELURAHAN:
            message = gettext(
                "%(parent)s is a %(found)s, not a %(wanted)s: a lingkungan belongs to a %(wanted)s."
            )
            check.add(
                "kode",
                message,
                parent=parent_code,
                found=self.names[parent.level],
                wanted=self.names[KELURAHAN],
            )
        return parent

    def apply(self, number: int, record: dict[str, str]) -> str:
        kode = record["kode"].strip()
        check = RowCheck()
        check.unique(self.seen, kode, number, "kode")
        parent = self.find_parent(check, kode)
        nama = check.name(record)
        target = check.count(record, "target") if record.get("target", "").strip() else None
        if check.ok and Wilayah.objects.filter(kode=kode).exclude(level=LINGKUNGAN).exists():
            check.add(
                "kode", gettext("%(kode)s is already stored and is not a lingkungan."), kode=kode
            )
        check.finish()
        _, outcome = save_wilayah(
            by=self.by,
            kode=kode,
            nama=nama,
            level=LINGKUNGAN,
            parent=parent,
            target=target,
            reason=self.reason,
        )
        return outcome


def import_lingkungan(path: str | Path, *, by: User | None, dry_run: bool = False) -> ImportResult:
    """Create or update lingkungan (kode, nama, target); an empty target keeps the stored one.

    A new lingkungan without a target gets the program's default (25).
    """
    reason = gettext("import %(file)s") % {"file": Path(path).name}
    lingkungan_file = _LingkunganFile(by=by, reason=reason, names=level_names())
    return run_import(
        path,
        required=["kode", "nama"],
        optional=["target"],
        handle=lingkungan_file.apply,
        dry_run=dry_run,
    )
