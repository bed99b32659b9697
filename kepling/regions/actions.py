"""Writes to the wilayah tree. Each action is one transaction and writes its audit row."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kepling.accounts.actions import create_kepling_account
from kepling.accounts.models import Role, User
from kepling.core import audit
from kepling.core.errors import DomainError
from kepling.regions.models import (
    KELURAHAN,
    LEVEL_KEYS,
    LINGKUNGAN,
    KeplingTerm,
    TargetChange,
    Wilayah,
    WilayahStatistic,
)
from kepling.regions.queries import mark_summaries_stale


def _ancestors(node: Wilayah, parent: Wilayah | None) -> dict[str, Wilayah | None]:
    """The denormalised ancestor columns of a node: its parent's, plus itself at its own level."""
    columns: dict[str, Wilayah | None] = dict.fromkeys(LEVEL_KEYS.values())
    if parent is not None:
        for key in LEVEL_KEYS.values():
            columns[key] = getattr(parent, key)
    columns[LEVEL_KEYS[node.level]] = node
    return columns


@transaction.atomic
def save_wilayah(
    *,
    by: User | None,
    kode: str,
    nama: str,
    level: int,
    parent: Wilayah | None,
    kode_pos: str = "",
    target: int | None = None,
    reason: str = "",
) -> tuple[Wilayah, str]:
    """Create or update a node by its code; returns it and 'created', 'updated' or 'unchanged'."""
    node = Wilayah.objects.select_for_update().filter(kode=kode).first()
    if node is None:
        node = Wilayah.objects.create(kode=kode, nama=nama, level=level, parent=parent, kode_pos=kode_pos)
        for key, value in _ancestors(node, parent).items():
            setattr(node, key, value)
        node.save()
        audit.record(
            actor=by,
            action="wilayah_created",
            object_type="wilayah",
            object_id=kode,
            new={"nama": nama, "level": level, "parent": parent.kode if parent else None},
        )
        if level == LINGKUNGAN:
            _write_target(
                by=by,
                node=node,
                target=target if target is not None else settings.DEFAULT_LINGKUNGAN_TARGET,
                reason=reason or "created",
                created=True,
            )
        return node, "created"
    before = {"nama": node.nama, "kode_pos": node.kode_pos}
    after = {"nama": nama, "kode_pos": kode_pos or node.kode_pos}
    old, new = audit.changed_fields(before, after)
    target_changed = level == LINGKUNGAN and target is not None and target != node.target
    if new:
        node.nama, node.kode_pos = after["nama"], after["kode_pos"]
        node.save(update_fields=["nama", "kode_pos"])
        audit.record(
            actor=by,
            action="wilayah_updated",
            object_type="wilayah",
            object_id=kode,
            old=old,
            new=new,
        )
    if target_changed:
        assert target is not None
        _write_target(by=by, node=node, target=target, reason=reason)
    return node, "updated" if (new or target_changed) else "unchanged"


def _write_target(*, by: User | None, node: Wilayah, target: int, reason: str, created: bool = False) -> None:
    old = node.target
    node.target = target
    node.save(update_fields=["target"])
    TargetChange.objects.create(wilayah=node, old_target=old, new_target=target, changed_by=by, reason=reason)
    if not created:
        # A target is not dated: every stored date of this lingkungan carries the new one after the refresh
        # (a new lingkungan gets its rows from the refresh, which adds the rows a date lacks).
        mark_summaries_stale([node.pk], datetime.date.min)
    audit.record(
        actor=by,
        action="target_changed",
        object_type="wilayah",
        object_id=node.kode,
        old={"target": old},
        new={"target": target},
        note=reason,
    )


class WilayahError(DomainError, ValueError):
    """A change to the tree or a target that the rules refuse (also a ValueError for older callers)."""


TARGET_REASON_MAX = 255  # TargetChange.reason


@transaction.atomic
def set_target(*, by: User | None, lingkungan: Wilayah, target: int, reason: str) -> bool:
    """Change a lingkungan's target, keeping who, when and why; returns whether it changed."""
    if lingkungan.level != LINGKUNGAN:
        raise WilayahError(gettext("Targets are set on lingkungan."))
    if target < 0:
        raise WilayahError(gettext("A target cannot be negative."))
    reason = reason.strip()
    if not reason:
        raise WilayahError(gettext("Give the reason for the new target: it is kept with the change."))
    if len(reason) > TARGET_REASON_MAX:
        raise WilayahError(gettext("The reason is too long (at most %(max)d characters).") % {"max": TARGET_REASON_MAX})
    node = Wilayah.objects.select_for_update().get(pk=lingkungan.pk)
    changed = node.target != target
    if changed:
        _write_target(by=by, node=node, target=target, reason=reason)
    lingkungan.target = target
    return changed


LINGKUNGAN_NUMBERS = range(1, 100)  # the code's last part: two digits (domain.md section 3)


def _check_name(kelurahan: Wilayah, nama: str, *, exclude: Wilayah | None = None) -> str:
    nama = " ".join(nama.split())
    if not nama or not any(ch.isalpha() for ch in nama):
        raise WilayahError(gettext("Write the lingkungan's name, e.g. Lingkungan XIV."))
    if len(nama) > Wilayah._meta.get_field("nama").max_length:  # type: ignore[operator]
        raise WilayahError(gettext("The name is too long."))
    same = Wilayah.objects.filter(parent=kelurahan, level=LINGKUNGAN, nama__iexact=nama)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    taken = same.first()
    if taken is not None:
        raise WilayahError(
            gettext("%(kode)s is already called %(nama)s in this kelurahan.") % {"kode": taken.kode, "nama": taken.nama}
        )
    return nama


@transaction.atomic
def add_lingkungan(*, by: User, kelurahan: Wilayah, number: int, nama: str, target: int | None = None) -> Wilayah:
    """Add a lingkungan to a kelurahan; its code is the kelurahan's code plus the two-digit number."""
    if kelurahan.level != KELURAHAN:
        raise WilayahError(gettext("Lingkungan are added to a kelurahan."))
    if number not in LINGKUNGAN_NUMBERS:
        raise WilayahError(gettext("The lingkungan number is a whole number from 1 to 99."))
    if target is not None and target < 0:
        raise WilayahError(gettext("A target cannot be negative."))
    kode = f"{kelurahan.kode}.{number:02d}"
    Wilayah.objects.select_for_update().filter(pk=kelurahan.pk).first()
    if Wilayah.objects.filter(kode=kode).exists():
        raise WilayahError(gettext("%(kode)s already exists.") % {"kode": kode})
    nama = _check_name(kelurahan, nama)
    node, _outcome = save_wilayah(
        by=by, kode=kode, nama=nama, level=LINGKUNGAN, parent=kelurahan, target=target,
        reason=gettext("new lingkungan"),
    )
    # Its target counts in every stored date's totals above it, like a changed target does.
    mark_summaries_stale([node.pk], datetime.date.min)
    return node


@transaction.atomic
def rename_wilayah(*, by: User, node: Wilayah, nama: str) -> bool:
    """Rename a lingkungan (its code stays: workers and history refer to it); returns whether it changed."""
    if node.level != LINGKUNGAN or node.parent is None:
        raise WilayahError(gettext("Only lingkungan are renamed here."))
    nama = _check_name(node.parent, nama, exclude=node)
    _saved, outcome = save_wilayah(
        by=by, kode=node.kode, nama=nama, level=node.level, parent=node.parent, kode_pos=node.kode_pos
    )
    node.nama = nama
    return outcome != "unchanged"


@transaction.atomic
def save_statistic(
    *,
    by: User | None,
    wilayah: Wilayah,
    per_tanggal: datetime.date,
    angkatan_kerja: int,
    peserta_aktif_bpjs: int,
) -> tuple[WilayahStatistic, str]:
    """Set a node's labour force and active participants as of a date; returns the outcome."""
    if angkatan_kerja < 0 or peserta_aktif_bpjs < 0:
        raise ValueError(gettext("Statistics cannot be negative."))
    if peserta_aktif_bpjs > angkatan_kerja:
        raise ValueError(gettext("Active BPJS participants cannot exceed the labour force."))
    figures = {"angkatan_kerja": angkatan_kerja, "peserta_aktif_bpjs": peserta_aktif_bpjs}
    object_id = f"{wilayah.kode}@{per_tanggal.isoformat()}"
    statistic = WilayahStatistic.objects.select_for_update().filter(wilayah=wilayah, per_tanggal=per_tanggal).first()
    if statistic is None:
        statistic = WilayahStatistic.objects.create(wilayah=wilayah, per_tanggal=per_tanggal, **figures)
        audit.record(
            actor=by,
            action="statistic_created",
            object_type="wilayah_statistic",
            object_id=object_id,
            new=figures,
        )
        return statistic, "created"
    before = {
        "angkatan_kerja": statistic.angkatan_kerja,
        "peserta_aktif_bpjs": statistic.peserta_aktif_bpjs,
    }
    old, new = audit.changed_fields(before, figures)
    if not new:
        return statistic, "unchanged"
    statistic.angkatan_kerja, statistic.peserta_aktif_bpjs = angkatan_kerja, peserta_aktif_bpjs
    statistic.save(update_fields=["angkatan_kerja", "peserta_aktif_bpjs", "updated_at"])
    audit.record(
        actor=by,
        action="statistic_updated",
        object_type="wilayah_statistic",
        object_id=object_id,
        old=old,
        new=new,
    )
    return statistic, "updated"


def _withdraw_access_after_term(*, by: User | None, kepling: User, lingkungan: Wilayah, end: datetime.date) -> None:
    """A Kepling whose term is over no longer sees the lingkungan's workers (UU 27/2022: need to know).

    Access ends with the term when the term is already over; a term ending in the future keeps
    access until a new term starts (`start_kepling_term` moves the lingkungan to the successor).
    """
    still_in_office = KeplingTerm.objects.filter(kepling=kepling, end__isnull=True).exists()
    if end < timezone.localdate() and kepling.wilayah_id == lingkungan.pk and not still_in_office:
        kepling.wilayah = None
        kepling.save(update_fields=["wilayah"])
        audit.record(
            actor=by,
            action="access_withdrawn",
            object_type="user",
            object_id=kepling.pk,
            old={"wilayah": lingkungan.kode},
            new={"wilayah": None},
            note="term ended",
        )


class TermConflictError(DomainError):
    """A Kepling term that would overlap or come before the terms already recorded."""


def _term_label(term: KeplingTerm) -> str:
    return gettext("%(name)s (%(username)s) in %(kode)s from %(start)s") % {
        "name": term.kepling.full_name or term.kepling.username,
        "username": term.kepling.username,
        "kode": term.lingkungan.kode,
        "start": term.start.isoformat(),
    }


def _check_no_conflict(terms: list[KeplingTerm], start: datetime.date) -> None:
    """Reject a start on or before a recorded term's start, or inside a closed term."""
    for term in terms:
        if start <= term.start:
            raise TermConflictError(
                gettext(
                    "The term cannot start on %(start)s: the term of %(term)s starts on or after "
                    "that date. A new term must start after every recorded term."
                )
                % {"start": start.isoformat(), "term": _term_label(term)}
            )
        if term.end is not None and start <= term.end:
            raise TermConflictError(
                gettext(
                    "The term cannot start on %(start)s: the term of %(term)s lasts until %(end)s. "
                    "Start the new term after that date."
                )
                % {
                    "start": start.isoformat(),
                    "term": _term_label(term),
                    "end": term.end.isoformat(),
                }
            )


def _close(*, by: User | None, term: KeplingTerm, end: datetime.date, note: str) -> None:
    term.end = end
    term.save(update_fields=["end"])
    _withdraw_access_after_term(by=by, kepling=term.kepling, lingkungan=term.lingkungan, end=end)
    audit.record(
        actor=by,
        action="kepling_term_ended",
        object_type="kepling_term",
        object_id=term.pk,
        old={"end": None},
        new={"end": end},
        note=note,
    )


@transaction.atomic
def start_kepling_term(*, by: User | None, kepling: User, lingkungan: Wilayah, start: datetime.date) -> KeplingTerm:
    """Put a Kepling in office from `start`, ending the open term before; history is kept."""
    if lingkungan.level != LINGKUNGAN:
        raise ValueError(
            gettext("%(kode)s is not a lingkungan: Kepling serve in a lingkungan.") % {"kode": lingkungan.kode}
        )
    if kepling.role not in {Role.KEPLING, ""}:
        raise ValueError(
            gettext("%(username)s is not a Kepling account (role: %(role)s).")
            % {"username": kepling.username, "role": kepling.get_role_display()}
        )
    # Lock the lingkungan row so two concurrent appointments cannot both see "no open term".
    Wilayah.objects.select_for_update().filter(pk=lingkungan.pk).first()
    here = list(KeplingTerm.objects.filter(lingkungan=lingkungan).select_related("kepling", "lingkungan"))
    # A Kepling holds one lingkungan at a time: a move ends their open term elsewhere.
    elsewhere = list(
        KeplingTerm.objects.filter(kepling=kepling, end__isnull=True)
        .exclude(lingkungan=lingkungan)
        .select_related("kepling", "lingkungan")
    )
    _check_no_conflict(here + elsewhere, start)
    for term in here:
        if term.end is None and term.kepling_id == kepling.pk:
            raise TermConflictError(gettext("%(term)s is already in office.") % {"term": _term_label(term)})
    day_before = start - datetime.timedelta(days=1)
    for term in here:
        if term.end is None:
            _close(
                by=by,
                term=term,
                end=day_before,
                note=gettext("succeeded by %(username)s") % {"username": kepling.username},
            )
    for term in elsewhere:
        _close(
            by=by,
            term=term,
            end=day_before,
            note=gettext("moved to %(kode)s") % {"kode": lingkungan.kode},
        )
    term = KeplingTerm.objects.create(kepling=kepling, lingkungan=lingkungan, start=start)
    kepling.role, kepling.wilayah = Role.KEPLING, lingkungan
    kepling.save(update_fields=["role", "wilayah"])
    audit.record(
        actor=by,
        action="kepling_term_started",
        object_type="kepling_term",
        object_id=term.pk,
        new={"kepling": kepling.username, "lingkungan": lingkungan.kode, "start": start},
    )
    return term


@transaction.atomic
def end_kepling_term(*, by: User | None, term: KeplingTerm, end: datetime.date, reason: str = "") -> KeplingTerm:
    """End an open term on `end` (the last day in office)."""
    locked = KeplingTerm.objects.select_for_update().select_related("kepling", "lingkungan").get(pk=term.pk)
    if locked.end is not None:
        raise TermConflictError(
            gettext("The term of %(term)s already ended on %(end)s.")
            % {"term": _term_label(locked), "end": locked.end.isoformat()}
        )
    if end < locked.start:
        raise TermConflictError(
            gettext("The term of %(term)s cannot end before it starts.") % {"term": _term_label(locked)}
        )
    _close(by=by, term=locked, end=end, note=reason)
    term.end = end
    return locked


@transaction.atomic
def appoint_new_kepling(
    *, by: User, username: str, full_name: str, phone: str, lingkungan: Wilayah, start: datetime.date
) -> tuple[User, KeplingTerm, str]:
    """Create a Kepling account and put it in office in a lingkungan, all or nothing; returns the password too."""
    if lingkungan.level != LINGKUNGAN:
        raise WilayahError(
            gettext("%(kode)s is not a lingkungan: Kepling serve in a lingkungan.") % {"kode": lingkungan.kode}
        )
    if not full_name.strip():
        raise WilayahError(gettext("Write the Kepling's full name."))
    kepling, password = create_kepling_account(by=by, username=username, full_name=full_name.strip(), phone=phone)
    term = start_kepling_term(by=by, kepling=kepling, lingkungan=lingkungan, start=start)
    return kepling, term, password
