"""Users, their role and the wilayah node each role is bound to."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    KEPLING = "kepling", _("Kepling")
    LURAH = "lurah", _("Lurah")
    CAMAT = "camat", _("Camat")
    ADMIN_KOTA = "admin_kota", _("City administrator")
    PETUGAS_BPJS = "petugas_bpjs", _("BPJS officer")
    PIMPINAN = "pimpinan", _("City leadership (read only)")


# The wilayah level each role is bound to (0 city, 1 kecamatan, 2 kelurahan, 3 lingkungan).
ROLE_LEVEL = {
    Role.KEPLING: 3,
    Role.LURAH: 2,
    Role.CAMAT: 1,
    Role.ADMIN_KOTA: 0,
    Role.PETUGAS_BPJS: 0,
    Role.PIMPINAN: 0,
}


class User(AbstractUser):
    """A person who signs in; `wilayah` is the root of everything they may see."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    wilayah = models.ForeignKey(
        "regions.Wilayah", null=True, blank=True, on_delete=models.PROTECT,
        related_name="users", verbose_name=_("area"),
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_city_wide(self) -> bool:
        return self.role in {Role.ADMIN_KOTA, Role.PETUGAS_BPJS, Role.PIMPINAN}

    @property
    def is_admin_kota(self) -> bool:
        return self.role == Role.ADMIN_KOTA or self.is_superuser
