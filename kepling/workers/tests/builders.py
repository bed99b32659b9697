"""Builders for the registry tests: valid NIKs and a valid worker, overridable field by field."""

from __future__ import annotations

import datetime
from typing import Any

from kepling.workers.validation import WorkerInput

REGISTERED_ON = datetime.date(2025, 6, 2)


def make_nik(birth: datetime.date, sex: str = "L", *, prefix: str = "127101", serial: int = 1) -> str:
    """A structurally valid NIK for this birth date and sex."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def worker_input(**overrides: Any) -> WorkerInput:
    """A worker that passes every check, in lingkungan 12.71.01.1001.01."""
    birth = overrides.get("tanggal_lahir", datetime.date(1990, 4, 12))
    sex = overrides.get("jenis_kelamin", "L")
    values: dict[str, Any] = {
        "nik": make_nik(birth, sex, serial=overrides.pop("serial", 1)),
        "nama": "Budi Santoso",
        "jenis_kelamin": sex,
        "tanggal_lahir": birth,
        "no_hp": "081234567890",
        "kode_lingkungan": "12.71.01.1001.01",
        "pekerjaan": "Pengemudi ojek",
        "sektor": "transportasi",
        "penghasilan": 2_000_000,
        "program": "JKK-JKM",
        "sumber_iuran": "mandiri",
        "tanggal_daftar": REGISTERED_ON,
    }
    values.update(overrides)
    return WorkerInput(**values)


def api_registration(**changes: Any) -> dict[str, Any]:
    """A registration body as `POST /api/v1/workers` takes it, valid unless `changes` make it otherwise."""
    body: dict[str, Any] = {
        "nik": "1271011505900001",
        "nama": "Siti Aminah",
        "jenis_kelamin": "L",
        "tanggal_lahir": "1990-05-15",
        "no_hp": "081234567890",
        "kode_lingkungan": "12.71.01.1001.01",
        "pekerjaan": "Pedagang",
        "sektor": "lainnya",
        "penghasilan": 1_000_000,
        "program": "JKK-JKM",
        "sumber_iuran": "mandiri",
        "tanggal_daftar": "2025-06-02",
        "consent": True,
    }
    return body | changes
