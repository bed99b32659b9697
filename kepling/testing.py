"""Small explicit builders for tests: a two-kecamatan city and the six personas."""

from __future__ import annotations

from dataclasses import dataclass

from kepling.accounts.models import Role, User
from kepling.regions.actions import save_wilayah
from kepling.regions.models import KECAMATAN, KELURAHAN, KOTA, LINGKUNGAN, Wilayah

TEST_PASSWORD = "kata-sandi-uji-yang-panjang"


@dataclass
class City:
    kota: Wilayah
    kecamatan: list[Wilayah]
    kelurahan: list[Wilayah]
    lingkungan: list[Wilayah]

    def node(self, kode: str) -> Wilayah:
        return Wilayah.objects.get(kode=kode)


def build_city() -> City:
    """Kota 12.71 > kecamatan 01, 02 > two kelurahan each > two lingkungan each."""
    kota, _ = save_wilayah(by=None, kode="12.71", nama="Kota Medan", level=KOTA, parent=None)
    kecamatan, kelurahan, lingkungan = [], [], []
    for k in (1, 2):
        kec, _ = save_wilayah(by=None, kode=f"12.71.{k:02d}", nama=f"Kecamatan {k}", level=KECAMATAN, parent=kota)
        kecamatan.append(kec)
        for d in (1, 2):
            kel, _ = save_wilayah(
                by=None, kode=f"{kec.kode}.{1000 + d}", nama=f"Kelurahan {k}-{d}", level=KELURAHAN, parent=kec
            )
            kelurahan.append(kel)
            for n in (1, 2):
                lin, _ = save_wilayah(
                    by=None, kode=f"{kel.kode}.{n:02d}", nama=f"Lingkungan {'I' * n}", level=LINGKUNGAN, parent=kel
                )
                lingkungan.append(lin)
    return City(kota, kecamatan, kelurahan, lingkungan)


def make_user(username: str, role: Role | str, wilayah: Wilayah | None, **extra: object) -> User:
    """A user with the test password, bound to a node."""
    user = User.objects.create_user(username=username, password=TEST_PASSWORD, role=role, wilayah=wilayah, **extra)  # type: ignore[arg-type]
    return user
