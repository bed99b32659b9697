"""Hostile uploads: a sheet that declares a huge grid, a sparse far cell, an archive bomb, a giant cell.

Each is refused with a message before any reader opens it, through the web pages and the API, and
the server keeps answering. Without the checks the first file aborts the process (the reader asks
for 512 GiB), which ends this test run: so these tests cannot pass by accident.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.core.filelimits import MAX_CELL_CHARS
from kepling.imports.models import ImportJob
from kepling.testing import City
from kepling.workers.models import Worker

pytestmark = pytest.mark.django_db

HEADER = ["nik", "nama", "jenis_kelamin", "tanggal_lahir", "no_hp", "kode_lingkungan", "pekerjaan", "sektor",
          "penghasilan", "program", "sumber_iuran", "tanggal_daftar"]
ROW = ["1271011505900011", "Ani", "L", "1990-05-15", "081234567890", "12.71.01.1001.01", "Pedagang", "lainnya",
       "1000000", "JKK-JKM", "mandiri", "2025-06-02"]


def far_cell_xlsx(path: Path) -> Path:
    """A real worker row plus one cell at XFD1048576: a few KB that declares a 17-billion-cell grid."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ROW)
    sheet.write(1_048_575, 16_383, "x")
    book.close()
    return path


def sparse_xlsx_without_dimension(path: Path) -> Path:
    """The same far cell, with the `<dimension>` element removed, so only the cell reference tells."""
    far_cell_xlsx(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    start = sheet.index(b"<dimension")
    parts["xl/worksheets/sheet1.xml"] = sheet[:start] + sheet[sheet.index(b"/>", start) + 2 :]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def zip_bomb_xlsx(path: Path) -> Path:
    """A sheet part that unpacks to more than a gigabyte of spaces."""
    far_cell_xlsx(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as out, out.open("xl/worksheets/padding.xml", "w") as part:
        block = b" " * (1 << 20)
        for _ in range(1100):
            part.write(block)
    return path


def giant_cell_csv(path: Path) -> Path:
    path.write_text(",".join(HEADER) + "\n" + ",".join([*ROW[:1], "A" * 200_000, *ROW[2:]]) + "\n", encoding="utf-8")
    return path


def long_cell_xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, [ROW[0], "B" * (MAX_CELL_CHARS + 1), *ROW[2:]])
    book.close()
    return path


HOSTILE = {
    "far_cell.xlsx": far_cell_xlsx,
    "sparse.xlsx": sparse_xlsx_without_dimension,
    "bomb.xlsx": zip_bomb_xlsx,
    "giant.csv": giant_cell_csv,
    "long.xlsx": long_cell_xlsx,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_uploaded_on_the_web_is_refused_and_the_server_keeps_answering(
    name: str, tmp_path: Path, city: City, kepling_user: User
) -> None:
    path = HOSTILE[name](tmp_path / name)
    client = Client()
    client.force_login(kepling_user)
    with path.open("rb") as handle:
        response = client.post(reverse("imports:upload", args=["workers"]), {"file": handle})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    for _visit in range(2):
        page = client.get(reverse("imports:job", args=[job.pk]))
        assert page.status_code == 200
        assert page.context["preview"].error
        assert page.context["preview"].error in page.content.decode()
    refused = client.post(reverse("imports:validate", args=[job.pk]))
    assert refused.status_code in (200, 302)
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code in (200, 404)
    assert not Worker.objects.exists()
    assert client.get(reverse("workers:list")).status_code == 200


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_sent_to_the_api_answers_400_and_the_server_keeps_answering(
    name: str, tmp_path: Path, city: City, kepling_user: User
) -> None:
    path = HOSTILE[name](tmp_path / name)
    _token, key = create_api_token(by=kepling_user, user=kepling_user, name="t")
    headers = {"Authorization": f"Bearer {key}"}
    client = Client()
    upload = SimpleUploadedFile(name, path.read_bytes())
    response = client.post("/api/v1/imports/workers", {"file": upload}, headers=headers)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "unusable_file" and error["message"]
    assert not Worker.objects.exists()
    assert client.get("/api/v1/workers", headers=headers).status_code == 200


def test_a_good_xlsx_still_imports(tmp_path: Path, city: City, kepling_user: User) -> None:
    path = tmp_path / "good.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ROW)
    book.close()
    _token, key = create_api_token(by=kepling_user, user=kepling_user, name="t")
    response = Client().post(
        "/api/v1/imports/workers",
        {"file": SimpleUploadedFile("good.xlsx", path.read_bytes())},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["applied"] == 1


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_formats_that_cannot_be_checked_before_reading_are_refused(
    suffix: str, city: City, kepling_user: User
) -> None:
    client = Client()
    client.force_login(kepling_user)
    upload = SimpleUploadedFile(f"workers{suffix}", b"not inspected")
    response = client.post(reverse("imports:upload", args=["workers"]), {"file": upload})
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
