"""Every URL of the app and every API operation, for every role, on an object inside and outside the
role's area: reads of an outside object never answer 200, writes on it change nothing.

The URLs come from the URL configuration itself (the API's operations included, and checked against
the committed OpenAPI document), so a new URL whose parameter this test cannot fill fails here.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kepling.accounts.models import Role, User
from kepling.accounts.permissions import may_manage_accounts, may_see_all_import_jobs
from kepling.api.actions import create_api_token
from kepling.api.models import ApiToken
from kepling.contributions.models import Payment
from kepling.core.models import AuditLog
from kepling.imports.models import ImportJob
from kepling.reconciliation.models import ItemKind, ReconciliationItem
from kepling.regions.models import Wilayah
from kepling.reminders.models import PaymentChannel, ReminderRule
from kepling.testing import City, make_user, make_worker
from kepling.workers.models import AttributionConflict, LikelyDuplicate, Worker

pytestmark = pytest.mark.django_db

PERSONAS = ("kepling_user", "lurah", "camat", "admin_kota", "petugas_bpjs", "pimpinan")
# Pages without an object of an area (the parameter is a name, not something that belongs to anyone).
FIXED = {"kind": "workers", "decision": "dismiss", "name": "swagger-ui.css"}
SKIPPED_PREFIXES = ("admin/",)  # Django's admin: staff only, guarded by its own permission checks
READ_OK = {200}


def walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def routes() -> list[str]:
    found = sorted({r for r in walk(get_resolver().url_patterns) if not r.startswith(SKIPPED_PREFIXES)})
    return [r for r in found if "^" not in r]  # the API's catch-all 404


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def world(city: City, people: dict[str, User]) -> dict[str, dict[str, Any]]:
    """Objects inside the area of every area-bound persona (lingkungan 0), and outside all of them."""
    inside_kepling, outside_kepling = people["kepling_user"], make_user("kepling-far", Role.KEPLING, city.lingkungan[7])
    w_in = make_worker(city.lingkungan[0], credited_kepling=inside_kepling, nama="Dalam Satu")
    w_out = make_worker(city.lingkungan[7], credited_kepling=outside_kepling, nama="Luar Satu")
    w_out2 = make_worker(city.lingkungan[6], nama="Luar Dua")
    w_in2 = make_worker(city.lingkungan[0], nama="Dalam Dua")
    day = datetime.date(2025, 7, 1)
    objects: dict[str, dict[str, Any]] = {"in": {}, "out": {}}
    for side, (worker, other, node) in {
        "in": (w_in, w_in2, city.lingkungan[0]),
        "out": (w_out, w_out2, city.lingkungan[7]),
    }.items():
        conflict = AttributionConflict.objects.create(
            worker=worker,
            claimant=None,
            claimant_lingkungan=other.lingkungan,
            kelurahan=worker.kelurahan,
            claimed_on=day,
        )
        duplicate = LikelyDuplicate.objects.create(worker=worker, other=other, kelurahan=worker.kelurahan)
        item = ReconciliationItem.objects.create(
            key=f"k-{side}", kind=ItemKind.UNKNOWN_TO_BPJS, worker=worker, kelurahan_id=worker.kelurahan_id,
            kecamatan_id=worker.kecamatan_id, kota_id=worker.kota_id,
        )
        kepling = inside_kepling if side == "in" else outside_kepling
        objects[side] = {"worker_id": worker.pk, "kode": node.kode, "conflict": conflict.pk,
                         "duplicate": duplicate.pk, "item_id": item.pk, "user_id": kepling.pk}
    # City-wide settings belong to no area: every area-bound role is outside them.
    rule = ReminderRule.objects.order_by("pk").first() or ReminderRule.objects.create(
        code="uji", name="Uji", kind="arrears", days_from_due=1, arrears_months=1, template="Yth. {nama}")
    channel = PaymentChannel.objects.create(nama="Kanal Uji")
    for values in objects.values():
        values.update({"rule_id": rule.pk, "channel_id": channel.pk})
    return objects


def owned(people: dict[str, User], who: str) -> dict[str, dict[str, Any]]:
    """Objects that belong to a user rather than an area: import jobs and API tokens."""
    stranger = make_user(f"stranger-{who}", Role.KEPLING, None)
    mine_job = ImportJob.objects.create(
        kind="workers", file="", original_name="m.csv", sha256="a", uploaded_by=people[who]
    )
    their_job = ImportJob.objects.create(
        kind="workers", file="", original_name="t.csv", sha256="b", uploaded_by=stranger
    )
    mine_token, _key = create_api_token(by=people[who], user=people[who], name="mine")
    their_token, _key2 = create_api_token(by=stranger, user=stranger, name="theirs")
    return {"in": {"job_id": mine_job.pk, "token_id": mine_token.pk},
            "out": {"job_id": their_job.pk, "token_id": their_token.pk}}


def fill(route: str, values: dict[str, Any]) -> str | None:
    """The route with its parameters filled; None when the object does not apply."""
    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        if name in FIXED:
            return FIXED[name]
        if name == "pk":
            key = "conflict" if "konflik" in route else "duplicate" if "duplikat" in route else "snapshot"
            return str(values[key])
        return str(values[name])

    return "/" + PARAM.sub(value, route)


def body_for(path: str, values: dict[str, Any]) -> dict[str, str]:
    """A write that would succeed if allowed: every form field any of these views reads."""
    return {
        f"c{values['conflict']}-decision": "keep", f"c{values['conflict']}-reason": "alasan",
        f"d{values['duplicate']}-decision": "duplicate", f"d{values['duplicate']}-reason": "alasan",
        "outcome": "reached", "note": "catatan", "reason": "alasan", "nik": "1271011505900001",
        "aktif": "0", "target": "99", "nama": "Diganti", "number": "9", "role": "pimpinan", "wilayah": "12.71",
        "name": "Diganti", "template": "Yth. {nama}", "days_from_due": "0", "arrears_months": "1", "position": "0",
    }


def snapshot() -> dict[str, Any]:
    return {
        "workers": sorted(Worker.objects.values_list("pk", "nama", "pekerjaan", "credited_kepling_id", "withdrawn_on")),
        "conflicts": sorted(AttributionConflict.objects.values_list("pk", "status")),
        "duplicates": sorted(LikelyDuplicate.objects.values_list("pk", "status")),
        "items": sorted(ReconciliationItem.objects.values_list("pk", "status")),
        "jobs": sorted(ImportJob.objects.values_list("pk", "status", "column_mapping")),
        "tokens": sorted(ApiToken.objects.values_list("pk", "revoked_at")),
        "payments": Payment.objects.count(),
        "passwords": sorted(User.objects.values_list("pk", "password", "must_change_password")),
        "accounts": sorted(User.objects.values_list("pk", "role", "wilayah_id", "is_active")),
        "wilayah": sorted(Wilayah.objects.values_list("pk", "nama", "target")),
        "rules": sorted(ReminderRule.objects.values_list("pk", "name", "template", "days_from_due", "active")),
        "channels": sorted(PaymentChannel.objects.values_list("pk", "nama", "position", "active")),
    }


def test_every_api_operation_is_in_the_url_configuration() -> None:
    document = json.loads((settings.BASE_DIR / "docs" / "api" / "openapi.json").read_text())
    served = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + r) for r in routes()}
    assert set(document["paths"]) <= served


@pytest.mark.parametrize("who", PERSONAS)
def test_no_role_reads_or_writes_an_object_outside_its_area(
    who: str, request: pytest.FixtureRequest, city: City, settings: Any
) -> None:
    settings.KEPLING_API_RATE = "100000/m"
    cache.clear()
    people = {p: request.getfixturevalue(p) for p in PERSONAS}
    user = people[who]
    area = world(city, people)
    mine = owned(people, who)
    city_wide = user.role in {Role.ADMIN_KOTA, Role.PETUGAS_BPJS, Role.PIMPINAN}
    outside = area["out"] | mine["out"] | {"snapshot": 999_999}
    client = Client()
    client.force_login(user)
    _token, key = create_api_token(by=user, user=user, name="matrix")
    api = {"Authorization": f"Bearer {key}"}
    before = snapshot()
    audit_before = AuditLog.objects.count()
    tested = 0
    for route in routes():
        names = {m.group(2) for m in PARAM.finditer(route)} - set(FIXED)
        if not names:
            continue
        path = fill(route, outside)
        assert path is not None
        headers = api if path.startswith("/api/") else {}
        owner_scoped = names & {"job_id", "token_id"}
        if city_wide and not owner_scoped:
            continue  # nothing of an area lies outside a city-wide role
        if "job_id" in names and may_see_all_import_jobs(user):
            continue
        if "token_id" in names and may_manage_accounts(user):
            continue
        for method in ("get", "post", "patch", "delete"):
            send = getattr(client, method)
            if method == "get":
                response = send(path, headers=headers)
                assert response.status_code not in READ_OK, (who, method, path, response.status_code)
            else:
                payload = json.dumps({"pekerjaan": "Diubah"}) if path.startswith("/api/") else body_for(path, outside)
                kwargs = {"content_type": "application/json"} if path.startswith("/api/") else {}
                response = send(path, payload, headers=headers, **kwargs)
            assert response.status_code < 500, (who, method, path)
            tested += 1
    assert tested > 0 or city_wide
    assert snapshot() == before
    # Outside objects are never shown, so no personal-data view of them is audited either.
    outside_worker = str(area["out"]["worker_id"])
    if not city_wide:
        assert not AuditLog.objects.filter(pk__gt=0, object_type="worker", object_id=outside_worker).exists()
    assert AuditLog.objects.count() >= audit_before
    cache.clear()
