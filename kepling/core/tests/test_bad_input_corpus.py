"""A corpus of crafted inputs against every way in: query parameters, form fields, API bodies, files.

Each case must answer below 500; every API error must have the API's JSON error shape; and at the
end nothing that should not change has changed (no worker, payment, conflict or token appeared or
changed). The corpus holds several hundred cases; it runs as one test so a new 500 names its case.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.api.models import ApiToken
from kepling.contributions.models import Payment
from kepling.testing import City, make_worker
from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker
from kepling.workers.tests.builders import api_registration

pytestmark = pytest.mark.django_db

NIK = "1271011505900011"
BAD_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 20_000,
    "٠١٢٣٤٥",
    "１２３４",
    "𝟙𝟚𝟛",
    "\u202e1271",
    "'; DROP TABLE workers_worker; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "-1",
    "0",
    "1e309",
    "NaN",
    "Infinity",
    "9" * 400,
    "-" + "9" * 40,
    "2999-01-01",
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "2025-13-01",
    "31/12/2025",
    "null",
    "[]",
    "{}",
    "%00",
    "🙂",
]
GET_PAGES = {
    "/pekerja/": ["hal", "status", "q"],
    "/pekerja/iuran/": ["penghasilan", "program", "tanggal_daftar", "sektor", "sumber_iuran"],
    "/pengingat/": ["tanggal"],
    "/pengingat/eskalasi/": ["tingkat", "tanggal", "page"],
    "/pengingat/hasil/": ["wilayah", "tanggal"],
    "/dasbor/antrean/": ["hal"],
    "/dasbor/peringkat/": ["tab", "hal", "urut"],
    "/dasbor/kepling/": ["urut", "hal", "q"],
    "/rekonsiliasi/": ["kind", "status", "page"],
    "/impor/": ["page"],
    "/audit/": ["actor", "action", "object_id", "date_from", "date_to", "worker", "page"],
    "/laporan/": ["wilayah", "format"],
}
API_QUERIES = {
    "/api/v1/workers": ["limit", "offset", "as_of", "status", "q", "lingkungan", "registered_from"],
    "/api/v1/wilayah": ["limit", "offset", "level", "parent"],
    "/api/v1/reconciliation/underpaid": ["limit", "offset"],
}
FORM_FIELDS = ["nik", "nama", "jenis_kelamin", "tanggal_lahir", "no_hp", "pekerjaan", "sektor", "penghasilan",
               "program", "sumber_iuran", "tanggal_daftar", "lingkungan"]
API_FIELDS = ["nik", "nama", "jenis_kelamin", "tanggal_lahir", "no_hp", "kode_lingkungan", "pekerjaan", "sektor",
              "penghasilan", "program", "sumber_iuran", "tanggal_daftar", "kepling"]
JSON_ODDITIES: list[Any] = [None, True, -1, 10**40, 1.5, "9" * 400, [], {}, "\x00", "٠٨١٢"]
FILES = {
    "junk.csv": b"\xff\xfe\x00\x01binary",
    "empty.csv": b"",
    "nul.csv": b"nik,nama\n\x00\x00\n",
    "header_only.csv": b"nik,nama,jenis_kelamin\n",
    "utf16.csv": "nik,nama\n1,2\n".encode("utf-16"),
    "fake.xlsx": b"PK\x03\x04 this is not a zip",
    "text.xlsx": b"nik,nama\n",
    "wrong_suffix.exe": b"MZ",
    "semicolons.csv": b"nik;nama;;;;\n;;;;;\n",
    "quotes.csv": b'nik,nama\n"unterminated,x\n',
}


@dataclass
class Case:
    name: str
    who: str
    method: str
    path: str
    data: Any = None
    api: bool = False
    content_type: str | None = None


def web_cases() -> Iterator[Case]:
    for (path, params), value in itertools.product(GET_PAGES.items(), BAD_VALUES):
        for who in ("kepling_user", "admin_kota") if path in {"/pekerja/", "/pekerja/iuran/"} else ("admin_kota",):
            yield Case(f"GET {path} {value[:12]!r} as {who}", who, "get", path, dict.fromkeys(params, value))
    for field, value in itertools.product(FORM_FIELDS, BAD_VALUES[::3]):
        yield Case(f"form {field}={value[:12]!r}", "kepling_user", "post", "/pekerja/daftar/", form_body(field, value))
    for value in BAD_VALUES:
        yield Case(f"cek-nik {value[:12]!r}", "kepling_user", "post", "/pekerja/cek-nik/", {"nik": value})
        yield Case(f"outcome {value[:12]!r}", "kepling_user", "post", "/pengingat/pekerja/{worker}/hasil/",
                   {"outcome": value, "note": value})
        yield Case(f"decide {value[:12]!r}", "lurah", "post", "/dasbor/antrean/konflik/1/",
                   {"c1-decision": value, "c1-reason": value})


def api_cases() -> Iterator[Case]:
    for (path, params), value in itertools.product(API_QUERIES.items(), BAD_VALUES):
        yield Case(f"API GET {path} {value[:12]!r}", "kepling_user", "get", path, dict.fromkeys(params, value), True)
    for field, value in itertools.product(API_FIELDS, JSON_ODDITIES):
        body = registration() | {field: value}
        yield Case(f"API POST {field}={str(value)[:12]!r}", "kepling_user", "post", "/api/v1/workers", body, True)
    for field, value in itertools.product(API_FIELDS[1:], JSON_ODDITIES[::2]):
        yield Case(f"API PATCH {field}={str(value)[:12]!r}", "kepling_user", "patch", "/api/v1/workers/{worker}",
                   {field: value}, True)
    for raw in ["", "{", "[]", "null", '"x"', '{"nik": "\\u0000"}', "x" * 100_000]:
        yield Case(f"API raw body {raw[:12]!r}", "kepling_user", "post", "/api/v1/workers", raw, True,
                   "application/json")
    for name, content in FILES.items():
        yield Case(f"API upload {name}", "kepling_user", "upload", "/api/v1/imports/workers", (name, content), True)
        yield Case(f"web upload {name}", "kepling_user", "webupload", "/impor/unggah/workers/", (name, content))
    for value in ["0", "-1", "9" * 30, "x", "1.5"]:
        yield Case(f"API path id {value}", "kepling_user", "get", f"/api/v1/workers/{value}", None, True)
        yield Case(f"API wilayah {value}", "kepling_user", "get", f"/api/v1/wilayah/{value}/summary", None, True)
        yield Case(f"web path id {value}", "kepling_user", "get", f"/pekerja/{value}/", None)


def form_body(field: str, value: str) -> dict[str, str]:
    # Without the consent box: the form still checks every field (it reports all problems at
    # once), and free text such as a name that merely looks hostile is never stored.
    body = {k: str(v) for k, v in registration().items() if k != "consent"}
    body.pop("kode_lingkungan")
    return body | {field: value}


def registration() -> dict[str, Any]:
    return api_registration(nik="1271015505900099", nama="Siti", jenis_kelamin="P")


def snapshot() -> dict[str, Any]:
    return {
        "workers": sorted(
            Worker.objects.values_list("pk", "nama", "no_hp", "penghasilan", "pekerjaan", "withdrawn_on")
        ),
        "payments": Payment.objects.count(),
        "conflicts": sorted(AttributionConflict.objects.values_list("pk", "status")),
        "duplicates": LikelyDuplicate.objects.count(),
    }


def send(case: Case, clients: dict[str, Client], headers: dict[str, dict[str, str]], worker: Worker) -> Any:
    client, path = clients[case.who], case.path.replace("{worker}", str(worker.pk))
    extra = headers[case.who] if case.api else {}
    if case.method == "get":
        return client.get(path, case.data or {}, headers=extra)
    if case.method in {"upload", "webupload"}:
        name, content = case.data
        return client.post(path, {"file": SimpleUploadedFile(name, content)}, headers=extra)
    if case.api:
        body = case.data if isinstance(case.data, str) else json.dumps(case.data)
        call = client.patch if case.method == "patch" else client.post
        return call(path, body, content_type="application/json", headers=extra)
    return client.post(path, case.data)


def assert_api_shape(case: Case, response: Any) -> None:
    if response.status_code < 400:
        return
    body = response.json()
    assert set(body) == {"error"}, case.name
    assert set(body["error"]) == {"code", "message", "details"}, case.name
    assert body["error"]["message"], case.name


@pytest.fixture
def no_rate_limits(settings: Any) -> Iterator[None]:
    """Every case reaches its view: no case may be answered by a rate limit instead."""
    settings.KEPLING_API_RATE = "100000/m"
    settings.NIK_CHECKS_PER_HOUR = 100_000
    cache.clear()
    yield
    cache.clear()


def test_no_crafted_input_answers_5xx_or_changes_what_it_should_not(
    city: City, kepling_user: User, lurah: User, admin_kota: User, no_rate_limits: None
) -> None:
    worker = make_worker(city.lingkungan[0], credited_kepling=kepling_user, pekerjaan="Pedagang")
    people = {"kepling_user": kepling_user, "lurah": lurah, "admin_kota": admin_kota}
    clients, headers = {}, {}
    for name, user in people.items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
        _token, key = create_api_token(by=user, user=user, name="corpus")
        headers[name] = {"Authorization": f"Bearer {key}"}
    tokens = ApiToken.objects.count()
    before = snapshot()
    cases = [*web_cases(), *api_cases()]
    assert len(cases) >= 200
    failures = []
    for case in cases:
        response = send(case, clients, headers, worker)
        assert response.status_code != 429, case.name
        if response.status_code >= 500:
            failures.append(f"{case.name}: {response.status_code}")
            continue
        if case.api:
            assert_api_shape(case, response)
        assert response.status_code != 201, case.name
    assert failures == []
    after = snapshot()
    # The corpus's API PATCH cases may not change the worker: each carries one bad value.
    assert after == before
    assert ApiToken.objects.count() == tokens
