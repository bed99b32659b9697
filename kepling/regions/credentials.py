"""The credentials sheet an administrator prints for new Kepling: a one-time password each."""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from kepling.regions.imports import Credential


def credentials_dir() -> Path:
    """var/credentials/: owner-only, emptied by `kepling purge_files` after the retention period."""
    return Path(settings.VAR_DIR) / "credentials"


def default_credentials_path(now: datetime.datetime | None = None) -> Path:
    """var/credentials/credentials-<local timestamp>.xlsx."""
    moment = timezone.localtime(now or timezone.now())
    return credentials_dir() / f"credentials-{moment:%Y%m%d-%H%M%S}.xlsx"


def write_credentials_sheet(path: str | Path, credentials: Sequence[Credential]) -> Path:
    """Write the sheet, readable by its owner only (it holds passwords)."""
    headers = [
        gettext("Username"),
        gettext("Name"),
        gettext("Lingkungan code"),
        gettext("Lingkungan"),
        gettext("One-time password"),
    ]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(gettext("Credentials"))
    bold = workbook.add_format({"bold": True})
    mono = workbook.add_format({"font_name": "Courier New"})
    sheet.write_row(0, 0, headers, bold)
    for number, credential in enumerate(credentials, start=1):
        values = [
            credential.username,
            credential.full_name,
            credential.lingkungan_kode,
            credential.lingkungan_nama,
        ]
        for column, value in enumerate(values):
            # write_string: a value such as "=HYPERLINK(...)" stays text, never a formula.
            sheet.write_string(number, column, value)
        sheet.write_string(number, len(values), credential.password, mono)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 2, 20)
    sheet.set_column(3, 3, 24)
    sheet.set_column(4, 4, 20)
    sheet.set_footer(
        gettext("&LOne-time passwords: each must be changed at first sign-in.&R&P / &N")
    )
    workbook.close()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.parent == credentials_dir():
        target.parent.chmod(0o700)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file that already existed keeps its old mode through O_CREAT
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(buffer.getvalue())
    return target
