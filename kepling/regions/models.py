"""The wilayah tree (city > kecamatan > kelurahan > lingkungan), targets, statistics, terms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

KOTA, KECAMATAN, KELURAHAN, LINGKUNGAN = 0, 1, 2, 3
LEVEL_KEYS = {
    KOTA: "kota",
    KECAMATAN: "kecamatan",
    KELURAHAN: "kelurahan",
    LINGKUNGAN: "lingkungan",
}
LEVEL_BY_KEY = {v: k for k, v in LEVEL_KEYS.items()}


class LevelName(models.Model):
    """What a deployment calls each level and its head: data, so a Desa/RW/RT city needs no code."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True)
    key = models.SlugField(_("key"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    head_title = models.CharField(_("head title"), max_length=60)

    class Meta:
        ordering = ["level"]
        verbose_name = _("level name")
        verbose_name_plural = _("level names")

    def __str__(self) -> str:
        return self.name


class Wilayah(models.Model):
    """A node of the tree. `kode` is the Kemendagri code and doubles as the materialised path."""

    kode = models.CharField(_("code"), max_length=40, unique=True)
    nama = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(_("level"), db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Ancestors denormalised (each node points to itself at its own level) so scoping and
    # roll-ups are one indexed equality filter, never a recursive query.
    kota = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kecamatan = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kelurahan = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lingkungan = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.PositiveIntegerField(_("target"), null=True, blank=True)
    kode_pos = models.CharField(_("postal code"), max_length=10, blank=True)

    class Meta:
        ordering = ["kode"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return f"{self.kode} {self.nama}"

    @property
    def tingkat(self) -> str:
        return LEVEL_KEYS.get(self.level, str(self.level))

    def ancestor_field(self) -> str:
        """The denormalised column that holds this node for everything under it."""
        return LEVEL_KEYS[self.level]


class TargetChange(models.Model):
    """History of a lingkungan's target: who changed it, when and why."""

    wilayah = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="target_changes")
    old_target = models.PositiveIntegerField(null=True, blank=True)
    new_target = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.wilayah.kode}: {self.old_target} -> {self.new_target}"


class WilayahStatistic(models.Model):
    """Official labour force and active BPJS participants of a node, as of a date."""

    wilayah = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="statistics")
    per_tanggal = models.DateField(_("as of"))
    angkatan_kerja = models.PositiveIntegerField(_("labour force"))
    peserta_aktif_bpjs = models.PositiveIntegerField(_("active BPJS participants"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["wilayah__kode", "-per_tanggal"]
        constraints = [
            models.UniqueConstraint(
                fields=["wilayah", "per_tanggal"], name="statistic_once_per_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wilayah.kode} {self.per_tanggal}"


class KeplingTerm(models.Model):
    """A Kepling's term in office in one lingkungan; one term per lingkungan covers any day."""

    kepling = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="terms"
    )
    lingkungan = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="terms")
    start = models.DateField(_("term start"))
    end = models.DateField(_("term end"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lingkungan__kode", "start"]
        indexes = [models.Index(fields=["lingkungan", "start"])]

    def __str__(self) -> str:
        return f"{self.kepling} @ {self.lingkungan.kode} {self.start}..{self.end or ''}"


class StaleSummary(models.Model):
    """A lingkungan whose stored summaries from `since` on no longer match the records.

    Registry and ledger writes add rows here in their own transaction; the summary refresh
    recomputes those lingkungan set-based and removes exactly the rows it read. Rows are only
    ever inserted and deleted, never updated, so a write never waits on a refresh and a
    change committed while a refresh runs keeps its row for the next one.
    """

    lingkungan = models.ForeignKey(Wilayah, on_delete=models.CASCADE, related_name="+")
    since = models.DateField()

    def __str__(self) -> str:
        return f"{self.lingkungan_id} since {self.since}"


def lingkungan_ancestors(node: Wilayah) -> dict[str, int]:
    """The kelurahan, kecamatan and kota ids of a lingkungan, for rows that denormalise them."""
    if node.kelurahan_id is None or node.kecamatan_id is None or node.kota_id is None:
        raise ValueError(f"{node.kode} is not a lingkungan placed in the tree.")
    return {"kelurahan_id": node.kelurahan_id, "kecamatan_id": node.kecamatan_id, "kota_id": node.kota_id}
