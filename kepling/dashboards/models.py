"""Published rankings: a frozen copy of every figure and score, kept whatever later data says."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kepling.contributions.models import StatusCounts


class RankingSnapshot(models.Model):
    """A ranking the city administrator published for an award period, frozen on publication."""

    title = models.CharField(_("title"), max_length=120)
    as_of = models.DateField(_("as of"), unique=True)
    formula = models.TextField(_("scoring formula"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("published ranking")
        verbose_name_plural = _("published rankings")

    def __str__(self) -> str:
        return f"{self.title} ({self.as_of})"


class RankingEntry(StatusCounts):
    """One unit's (or Kepling's) place in a published ranking, with the figures it was scored on.

    Names and codes are copied so renaming an area or a Kepling later never rewrites history.
    """

    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="entries")
    level = models.PositiveSmallIntegerField(_("level"))
    rank = models.PositiveIntegerField(_("rank"))
    wilayah = models.ForeignKey("regions.Wilayah", on_delete=models.PROTECT, related_name="+")
    kode = models.CharField(_("code"), max_length=40)
    nama = models.CharField(_("name"), max_length=120)
    parent_nama = models.CharField(max_length=120, blank=True)
    kepling = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kepling_nama = models.CharField(max_length=150, blank=True)
    target = models.PositiveIntegerField(default=0)
    progress_pct = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["snapshot", "level", "rank", "kode"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "level", "wilayah"], name="ranking_entry_once"),
        ]
        indexes = [models.Index(fields=["snapshot", "level", "rank"])]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.level} #{self.rank} {self.kode}"
