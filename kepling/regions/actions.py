"""Writes to the wilayah tree. Each action is one transaction and writes its audit row."""

from __future__ import annotations

from django.db import transaction

from kepling.accounts.models import User
from kepling.core import audit
from kepling.regions.models import LEVEL_KEYS, LINGKUNGAN, TargetChange, Wilayah


def _ancestors(node: Wilayah, parent: Wilayah | None) -> dict[str, Wilayah | None]:
    """The denormalised ancestor columns of a node: its parent's, plus itself at its own level."""
    columns: dict[str, Wilayah | None] = {key: None for key in LEVEL_KEYS.values()}
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
    """Create or update a node by its code. Returns the node and 'created', 'updated' or 'unchanged'."""
    node = Wilayah.objects.select_for_update().filter(kode=kode).first()
    if node is None:
        node = Wilayah.objects.create(kode=kode, nama=nama, level=level, parent=parent, kode_pos=kode_pos)
        for key, value in _ancestors(node, parent).items():
            setattr(node, key, value)
        node.save()
        audit.record(actor=by, action="wilayah_created", object_type="wilayah", object_id=kode,
                     new={"nama": nama, "level": level, "parent": parent.kode if parent else None})
        if level == LINGKUNGAN:
            _write_target(by=by, node=node, target=target if target is not None else 25, reason=reason or "created")
        return node, "created"
    before = {"nama": node.nama, "kode_pos": node.kode_pos}
    after = {"nama": nama, "kode_pos": kode_pos or node.kode_pos}
    old, new = audit.changed_fields(before, after)
    target_changed = level == LINGKUNGAN and target is not None and target != node.target
    if new:
        node.nama, node.kode_pos = after["nama"], after["kode_pos"]
        node.save(update_fields=["nama", "kode_pos"])
        audit.record(actor=by, action="wilayah_updated", object_type="wilayah", object_id=kode, old=old, new=new)
    if target_changed:
        assert target is not None
        _write_target(by=by, node=node, target=target, reason=reason)
    return node, "updated" if (new or target_changed) else "unchanged"


def _write_target(*, by: User | None, node: Wilayah, target: int, reason: str) -> None:
    old = node.target
    node.target = target
    node.save(update_fields=["target"])
    TargetChange.objects.create(wilayah=node, old_target=old, new_target=target, changed_by=by, reason=reason)
    audit.record(actor=by, action="target_changed", object_type="wilayah", object_id=node.kode,
                 old={"target": old}, new={"target": target}, note=reason)


@transaction.atomic
def set_target(*, by: User | None, lingkungan: Wilayah, target: int, reason: str) -> None:
    """Change a lingkungan's target, keeping who, when and why."""
    if lingkungan.level != LINGKUNGAN:
        raise ValueError("Targets are set on lingkungan.")
    if target < 0:
        raise ValueError("A target cannot be negative.")
    node = Wilayah.objects.select_for_update().get(pk=lingkungan.pk)
    if node.target != target:
        _write_target(by=by, node=node, target=target, reason=reason)
    lingkungan.target = target
