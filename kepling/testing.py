"""Small explicit builders for tests: a two-kecamatan city and the six personas."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from kepling.accounts.models import Role, User
from kepling.core.crypto import encrypt_text, lookup_hash, mask_nik
from kepling.regions.actions import save_wilayah
from kepling.regions.models import KECAMATAN, KELURAHAN, KOTA, LINGKUNGAN, Wilayah, lingkungan_ancestors
from kepling.workers.models import Worker

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


_worker_serial = iter(range(1, 10**6))


def make_worker(lingkungan: Wilayah, *, registered: str = "2025-06-02", **fields: object) -> Worker:
    """A registered worker written directly (the registration action has its own tests)."""
    serial = next(_worker_serial)
    nik = str(fields.pop("nik", f"127101{150590 + 0:06d}{serial:04d}"))
    values: dict[str, object] = {
        "nama": f"Pekerja {serial}",
        "jenis_kelamin": "L",
        "tanggal_lahir": datetime.date(1990, 5, 15),
        "no_hp": "+6281234567890",
        "pekerjaan": "Pedagang",
        "sektor": "lainnya",
        "penghasilan": 1_000_000,
        "program": "JKK-JKM",
        "sumber_iuran": "mandiri",
    }
    values.update(fields)
    return Worker.objects.create(
        nik_hash=lookup_hash(nik),
        nik_encrypted=encrypt_text(nik),
        nik_masked=mask_nik(nik),
        name_key=str(values["nama"]).casefold(),
        tanggal_daftar=datetime.date.fromisoformat(registered),
        lingkungan=lingkungan,
        **lingkungan_ancestors(lingkungan),
        consent_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
        consent_version="test",
        **values,
    )
