"""A corpus of crafted inputs against every way in: query parameters, form fields, API bodies, files.

Each case must answer below 500; every API error must have the API's JSON error shape; and at the
end nothing that should not change has changed (no worker, payment, conflict or token appeared or
changed). The corpus holds several hundred cases; it runs as one test so a new 500 names its case.
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kepling.accounts.models import User
from kepling.api.actions import create_api_token
from kepling.api.models import ApiToken
from kepling.contributions.models import Payment
from kepling.core.params import MAX_PAGE
from kepling.dashboards.actions import publish_ranking
from kepling.reconciliation.models import ItemKind, ItemStatus
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


# --- Query parameters: every parameter a page reads, with values it must refuse and values it uses. ---
# A refused value answers 400 (the API: 422 in its error shape), never 200 with a silent default.

BAD_CHOICES = ["x", "ALL", "<script>alert(1)</script>", "x" * 20_000, "٠", "-1", "NaN", "null", "'; --"]
BAD_PAGES = ["abc", "-1", "0", str(10**30), str(MAX_PAGE + 1), "1.5", "٠", "1e3", "NaN", "9" * 400]
BAD_CODES = ["abc", "12..71", "12.71.", ".12", "<script>", "x" * 20_000, "12-71", "1.2.3.4.5.6.7.8.9", "12.71.a"]


@dataclass
class Param:
    """One query parameter of one page: values refused (with the status expected) and values used."""

    who: str
    path: str
    name: str
    bad: list[str]
    good: list[str]
    refused: int = 400
    # Well-formed area codes that are missing or outside the user's area: 404, as for any object.
    unknown: list[str] = dataclass_field(default_factory=list)

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


def parameter_table(city: City, snapshot_pk: int) -> list[Param]:
    """Every query parameter the pages and the API read (worker list and reports excepted: they own theirs)."""
    ling, kel, far = city.lingkungan[0].kode, city.kelurahan[0].kode, city.lingkungan[7].kode
    missing = ["99.99", "12.71.09", "١٢.٧١.٠٩"]
    statuses = ["", "never_paid", "active", "in_arrears", "inactive"]
    pages = ["1", "٢", str(MAX_PAGE)]  # digits of any script; past the end: the last page
    return [
        Param("lurah", "/dasbor/", "urut", [*BAD_CHOICES, "-", "--nama"], ["nama", "-terlindungi", "kode", "-sisa"]),
        Param("lurah", "/dasbor/", "unduh", [*BAD_CHOICES, "pdf", "CSV"], ["", "csv", "xlsx"]),
        Param("lurah", f"/dasbor/{ling}/", "status", [*BAD_CHOICES, "protected"], statuses),
        Param("lurah", f"/dasbor/{ling}/", "hal", BAD_PAGES, pages),
        Param("lurah", f"/dasbor/{ling}/", "unduh", BAD_CHOICES, ["csv"]),
        Param("lurah", "/dasbor/kepling/", "wilayah", BAD_CODES, ["", kel], unknown=[*missing, far, ling]),
        Param("lurah", "/dasbor/kepling/", "hal", BAD_PAGES, pages),
        Param("lurah", "/dasbor/kepling/", "unduh", BAD_CHOICES, ["xlsx"]),
        Param("lurah", "/dasbor/peringkat/", "tab", BAD_CHOICES, ["", "kecamatan", "kelurahan", "kepling"]),
        Param("lurah", "/dasbor/peringkat/", "hal", BAD_PAGES, pages),
        Param("lurah", "/dasbor/peringkat/", "unduh", BAD_CHOICES, ["csv"]),
        Param("lurah", f"/dasbor/peringkat/arsip/{snapshot_pk}/", "tab", BAD_CHOICES, ["kelurahan", "kepling"]),
        Param("lurah", f"/dasbor/peringkat/arsip/{snapshot_pk}/", "hal", BAD_PAGES, pages),
        Param("lurah", "/dasbor/cari/", "hal", BAD_PAGES, pages),
        Param("lurah", "/dasbor/cari/", "status", BAD_CHOICES, statuses),
        Param("lurah", "/dasbor/cari/", "menunggak", ["abc", "0", "-1", "1000", "1.5"], ["", "1", "3"]),
        Param("lurah", "/dasbor/cari/", "lingkungan", BAD_CODES, ["", ling, kel], unknown=[*missing, far]),
        Param("lurah", "/pengingat/eskalasi/", "tingkat", [*BAD_CHOICES, "kepling"], ["", "lurah", "camat"]),
        Param("lurah", "/pengingat/eskalasi/", "page", BAD_PAGES, pages),
        Param("lurah", "/pengingat/hasil/", "wilayah", BAD_CODES, ["", kel, ling], unknown=[*missing, far]),
        Param("lurah", "/akun/kepling/", "wilayah", BAD_CODES, ["", kel, ling], unknown=[*missing, far]),
        Param("admin_kota", "/pengingat/gagal/", "page", BAD_PAGES, pages),
        Param("admin_kota", "/rekonsiliasi/", "kind", BAD_CHOICES, ["", *ItemKind.values]),
        Param("admin_kota", "/rekonsiliasi/", "status", BAD_CHOICES, ["", *ItemStatus.values]),
        Param("admin_kota", "/rekonsiliasi/", "wilayah", BAD_CODES, ["", "12.71.01", kel], unknown=missing),
        Param("admin_kota", "/rekonsiliasi/", "page", BAD_PAGES, pages),
        Param("admin_kota", "/rekonsiliasi/", "unduh", BAD_CHOICES, ["csv", "xlsx"]),
        Param("admin_kota", "/audit/", "page", BAD_PAGES, pages),
        Param("admin_kota", "/audit/", "action", BAD_CHOICES, ["", "worker_viewed"]),
        Param("admin_kota", "/audit/", "worker", BAD_PAGES[:4], ["", "1"]),
        Param("admin_kota", "/audit/", "date_from", ["2025-13-01", "abc", "0001-01-01x"], ["", "2025-06-01"]),
        Param("admin_kota", "/audit/", "unduh", BAD_CHOICES, ["csv"]),
        Param("lurah", "/api/v1/workers", "lingkungan", BAD_CODES, [ling, "١٢.٧١.٠١.١٠٠١.٠١"], 422,
              unknown=[*missing, far]),
        Param("lurah", "/api/v1/workers", "status", BAD_CHOICES, ["active", "never_paid"], 422),
        Param("lurah", "/api/v1/workers", "limit", [*BAD_PAGES, "501"], ["1", "500"], 422),
        Param("lurah", "/api/v1/workers", "offset", ["-1", "abc", "1.5", str(10**30)], ["0", "100"], 422),
        Param("lurah", "/api/v1/wilayah", "parent", BAD_CODES, [kel], 422, unknown=[*missing, far]),
        Param("lurah", "/api/v1/wilayah", "tingkat", BAD_CHOICES, ["kelurahan", "lingkungan"], 422),
        Param("admin_kota", "/api/v1/reconciliation/underpaid", "limit", BAD_PAGES, ["1", "50"], 422),
    ]


def test_every_invalid_query_parameter_answers_400_and_every_valid_one_200(
    city: City, lurah: User, admin_kota: User, no_rate_limits: None
) -> None:
    make_worker(city.lingkungan[0], nama="Ani")
    snapshot_pk = publish_ranking(by=admin_kota, as_of=datetime.date(2025, 10, 29), title="Oktober").pk
    people = {"lurah": lurah, "admin_kota": admin_kota}
    clients, headers = {}, {}
    for name, user in people.items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
        headers[name] = {"Authorization": f"Bearer {create_api_token(by=user, user=user, name='params')[1]}"}
    wrong: list[str] = []
    table = parameter_table(city, snapshot_pk)
    for param in table:
        client = clients[param.who]
        extra = headers[param.who] if param.api else {}
        expected = [(v, param.refused) for v in param.bad] + [(v, 404) for v in param.unknown]
        for value, status in [*expected, *((v, 200) for v in param.good)]:
            response = client.get(param.path, {param.name: value}, headers=extra)
            if response.status_code != status:
                wrong.append(f"{param.path}?{param.name}={value[:20]!r}: {response.status_code}, expected {status}")
            elif param.api and status != 200:
                assert_api_shape(Case(param.name, param.who, "get", param.path, api=True), response)
            elif status == 400:
                assert "<html" in response.content.decode().lower(), param.path  # the error page, not a bare body
    assert wrong == []
    assert sum(len(p.bad) + len(p.unknown) for p in table) >= 200
