"""Uploaded files on disk: owner-only, deleted once applied cleanly, purged after the retention period."""

from __future__ import annotations

import datetime
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from kepling.accounts.models import User
from kepling.imports import jobs
from kepling.imports.models import ImportJob, JobStatus
from kepling.testing import City

pytestmark = pytest.mark.django_db

HEADER = "nik,nama,jenis_kelamin,tanggal_lahir,no_hp,kode_lingkungan,pekerjaan,sektor,penghasilan,program,"
HEADER += "sumber_iuran,tanggal_daftar\n"
TAIL = ",Pedagang,lainnya,1000000,JKK-JKM,mandiri,2025-06-02\n"
GOOD = "1271011505900011,Ani,L,1990-05-15,081234567890,12.71.01.1001.01" + TAIL
BAD = "1271011505900012,Budi,L,1990-05-15,081234567891,12.71.02.1001.01" + TAIL


def upload(client: Client, path: Path) -> ImportJob:
    with path.open("rb") as handle:
        assert client.post(reverse("imports:upload", args=["workers"]), {"file": handle}).status_code == 302
    return ImportJob.objects.latest("pk")


def apply(client: Client, job: ImportJob) -> ImportJob:
    client.post(reverse("imports:validate", args=[job.pk]))
    client.post(reverse("imports:apply", args=[job.pk]))
    job = jobs.apply_job(job.pk) if ImportJob.objects.get(pk=job.pk).status != JobStatus.DONE else job
    job.refresh_from_db()
    return job


def test_a_stored_upload_is_readable_by_its_owner_only(tmp_path: Path, city: City, kepling_user: User) -> None:
    client = Client()
    client.force_login(kepling_user)
    path = tmp_path / "w.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    job = upload(client, path)
    mode = stat.S_IMODE(job.path.stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(job.path.parent.stat().st_mode) == 0o700


def test_a_cleanly_applied_file_is_deleted_and_its_page_still_answers(
    tmp_path: Path, city: City, kepling_user: User
) -> None:
    client = Client()
    client.force_login(kepling_user)
    path = tmp_path / "w.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    job = apply(client, upload(client, path))
    assert job.status == JobStatus.DONE
    assert not job.path.exists()
    page = client.get(reverse("imports:job", args=[job.pk]))
    assert page.status_code == 200 and page.context["preview"].error
    again = upload(client, path)
    assert apply(client, again).duplicate_of_id == job.pk


def test_a_file_with_rejected_rows_is_kept_for_its_report_until_the_retention_ends(
    tmp_path: Path, city: City, kepling_user: User, settings: object
) -> None:
    client = Client()
    client.force_login(kepling_user)
    path = tmp_path / "w.csv"
    path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    job = apply(client, upload(client, path))
    assert job.path.exists()
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code == 200
    sheet = Path(settings.VAR_DIR) / "credentials-20250101-000000.xlsx"  # type: ignore[attr-defined]
    sheet.write_bytes(b"x")
    old = (timezone.now() - datetime.timedelta(days=30)).timestamp()
    os.utime(sheet, (old, old))
    call_command("purge_files")
    assert job.path.exists() and not sheet.exists()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    call_command("purge_files")
    assert not job.path.exists()
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code == 200


def _cells(content: bytes) -> set[str]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {str(cell) for row in book.get_sheet_by_index(0).to_python() for cell in row}


def test_the_error_report_keeps_no_row_values_once_the_upload_is_purged(
    tmp_path: Path, city: City, kepling_user: User, settings: Any
) -> None:
    client = Client()
    client.force_login(kepling_user)
    path = tmp_path / "w.csv"
    path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    job = apply(client, upload(client, path))
    report = client.get(reverse("imports:errors", args=[job.pk]))
    assert {"1271011505900012", "Budi"} <= _cells(report.content)
    past = timezone.now() - datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS + 1)
    ImportJob.objects.filter(pk=job.pk).update(created_at=past)
    call_command("purge_files")
    later = client.get(reverse("imports:errors", args=[job.pk]))
    assert later.status_code == 200
    cells = _cells(later.content)
    assert "1271011505900012" not in cells and "Budi" not in cells
    assert any("12.71.02" in cell or "lingkungan" in cell.lower() for cell in cells)  # the reason is still listed


def test_a_credentials_sheet_is_owner_only_and_deleted_after_its_retention(
    tmp_path: Path, city: City, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path / "var"
    accounts = tmp_path / "kepling.csv"
    accounts.write_text(
        "username,nama,no_hp,kode_lingkungan,mulai_jabatan\n"
        "budi,Budi Santoso,081234567890,12.71.01.1001.01,2025-05-14\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_kepling", str(accounts), "--json", stdout=out)
    sheet = Path(json.loads(out.getvalue())["credentials"])
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    assert stat.S_IMODE(sheet.parent.stat().st_mode) == 0o700
    call_command("purge_files")
    assert sheet.exists()
    old = (timezone.now() - datetime.timedelta(days=settings.CREDENTIALS_RETENTION_DAYS + 1)).timestamp()
    os.utime(sheet, (old, old))
    call_command("purge_files")
    assert not sheet.exists()


def test_a_credentials_sheet_written_over_a_readable_file_becomes_owner_only(tmp_path: Path, city: City) -> None:
    target = tmp_path / "sheet.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o644)
    accounts = tmp_path / "kepling.csv"
    accounts.write_text(
        "username,nama,no_hp,kode_lingkungan,mulai_jabatan\nani,Ani Lubis,081234567891,12.71.01.1001.01,2025-05-14\n",
        encoding="utf-8",
    )
    call_command("import_kepling", str(accounts), "--credentials", str(target), stdout=io.StringIO())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
