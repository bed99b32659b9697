"""File imports through the API: applied at once with the same functions as the command line."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from kepling.accounts.models import User
from kepling.accounts.permissions import may_upload
from kepling.api.auth import caller
from kepling.api.common import ERRORS
from kepling.api.errors import ApiError
from kepling.api.schemas import ImportJobOut, ImportOut
from kepling.contributions.imports import import_payments_file
from kepling.core.filelimits import ACCEPTED_SUFFIXES
from kepling.core.tabular import ImportResult
from kepling.imports.jobs import access_job
from kepling.workers.imports import import_workers_file

router = Router(tags=["imports"])

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
SUFFIXES = ACCEPTED_SUFFIXES
BASE_KEYS = ("rows", "applied", "already_present", "rejected", "errors", "warnings")


def ensure_may_upload(user: User, kind: str) -> None:
    if not may_upload(user, kind):
        raise PermissionDenied(_("Your role may not import this kind of file."))


def apply_upload(upload: UploadedFile, apply: Callable[[Path], ImportResult]) -> ImportOut:
    """Store the upload in a private temporary file, apply it, and report the contract's counts."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ApiError(400, "file_too_large", _("The file is too large (at most 100 MB)."))
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ApiError(400, "unusable_file", _("Send a CSV or XLSX file."))
    with tempfile.TemporaryDirectory(prefix="kepling-api-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        result: dict[str, Any] = apply(path).as_dict()
    return ImportOut(**{k: result[k] for k in BASE_KEYS}, extra={k: v for k, v in result.items() if k not in BASE_KEYS})


IMPORT_RESPONSES: dict[int, Any] = {200: ImportOut, **ERRORS}


@router.post("/payments", response=IMPORT_RESPONSES, summary="Apply a BPJS payment extract")
def import_payments(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False) -> ImportOut:
    """Admin kota and Petugas BPJS. Unknown NIKs are kept for reconciliation; a file applied twice changes nothing."""
    user = caller(request)
    ensure_may_upload(user, "payments")
    return apply_upload(file, lambda path: import_payments_file(path, by=user, dry_run=dry_run))


@router.post("/workers", response=IMPORT_RESPONSES, summary="Register workers from a file")
def import_workers(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False) -> ImportOut:
    """Kepling, Lurah, Camat and Admin kota; rows outside your area are rejected."""
    user = caller(request)
    ensure_may_upload(user, "workers")
    return apply_upload(file, lambda path: import_workers_file(path, by=user, dry_run=dry_run))


@router.get("/{int:job_id}", response={200: ImportJobOut, **ERRORS}, summary="An import job's status and result")
def get_import_job(request: HttpRequest, job_id: int) -> ImportJobOut:
    """A job uploaded through the web pages: your own, or any for Admin kota and Petugas BPJS."""
    job = access_job(caller(request), job_id)
    return ImportJobOut(
        id=job.pk,
        kind=job.kind,
        original_name=job.original_name,
        status=job.status,
        rows_total=job.rows_total,
        rows_done=job.rows_done,
        percent_done=job.percent_done,
        message=job.message,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=job.result,
    )
