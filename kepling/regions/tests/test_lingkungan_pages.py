"""Admin kota keeps lingkungan and their targets in the app: list, add, rename, change a target with a reason."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kepling.accounts.models import Role, User
from kepling.core.models import AuditLog
from kepling.regions.models import KeplingTerm, TargetChange, Wilayah
from kepling.testing import City, make_user

pytestmark = pytest.mark.django_db

OTHER_ROLES = ("kepling_user", "lurah", "camat", "petugas_bpjs", "pimpinan")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def summary(kode: str, as_of: str) -> dict[str, Any]:
    out = StringIO()
    call_command("summary", "--wilayah", kode, "--as-of", as_of, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def tree() -> list[tuple[object, ...]]:
    return sorted(Wilayah.objects.values_list("kode", "nama", "target"))


def test_a_kelurahan_lists_its_lingkungan_with_their_kepling_and_target(admin_kota: User, city: City) -> None:
    kepling = make_user("kepling-satu", Role.KEPLING, city.lingkungan[0], full_name="Ahmad Satu")
    KeplingTerm.objects.create(kepling=kepling, lingkungan=city.lingkungan[0], start=datetime.date(2025, 1, 1))
    client = signed_in(admin_kota)
    index = client.get("/wilayah/")
    assert index.status_code == 200 and f'href="/wilayah/{city.kelurahan[0].kode}/"' in index.content.decode()
    page = client.get(f"/wilayah/{city.kelurahan[0].kode}/")
    assert [(node.kode, k.username if k else None) for node, k in page.context["rows"]] == [
        (city.lingkungan[0].kode, "kepling-satu"), (city.lingkungan[1].kode, None)]
    assert page.context["total"] == sum(n.target for n in city.lingkungan[:2])
    assert client.get(f"/wilayah/{city.kecamatan[0].kode}/").status_code == 404


def test_a_target_change_keeps_who_when_and_why_and_the_figures_follow(admin_kota: User, city: City) -> None:
    node = city.lingkungan[0]
    before = summary(city.kelurahan[0].kode, "2025-06-20")
    client = signed_in(admin_kota)
    response = client.post(f"/wilayah/{node.kode}/target/", {"target": "40", "reason": "Rapat 12 Juni: kampung padat"})
    assert response.status_code == 302
    after = summary(city.kelurahan[0].kode, "2025-06-20")
    assert after["target"] == before["target"] - node.target + 40
    change = TargetChange.objects.filter(wilayah=node).first()
    assert change is not None
    assert (change.old_target, change.new_target, change.changed_by, change.reason) == (
        node.target, 40, admin_kota, "Rapat 12 Juni: kampung padat")
    entry = AuditLog.objects.get(action="target_changed", object_id=node.kode, actor=admin_kota)
    assert (entry.old_values, entry.new_values, entry.note) == ({"target": node.target}, {"target": 40}, change.reason)
    history = client.get(f"/wilayah/{node.kode}/").content.decode()
    assert "Rapat 12 Juni: kampung padat" in history and f"{node.target} → 40" in history


@pytest.mark.parametrize("body", [
    {"target": "30", "reason": ""},
    {"target": "30", "reason": "   "},
    {"target": "-1", "reason": "alasan"},
    {"target": "dua puluh", "reason": "alasan"},
    {"target": "30", "reason": "x" * 256},
    {"reason": "alasan"},
])
def test_a_target_without_a_reason_or_with_a_bad_number_is_refused(admin_kota: User, city: City,
                                                                    body: dict[str, str]) -> None:
    before, changes = tree(), TargetChange.objects.count()
    response = signed_in(admin_kota).post(f"/wilayah/{city.lingkungan[0].kode}/target/", body)
    assert response.status_code == 200
    form = response.context["target_form"]
    assert form.errors and 'class="errorlist' in response.content.decode()
    assert tree() == before and TargetChange.objects.count() == changes


def test_a_lingkungan_is_added_with_the_next_code_and_renamed(admin_kota: User, city: City) -> None:
    kelurahan = city.kelurahan[0]
    client = signed_in(admin_kota)
    form = client.get(f"/wilayah/{kelurahan.kode}/").context["form"]
    assert (form.initial["number"], form.initial["nama"]) == (3, "Lingkungan III")
    response = client.post(f"/wilayah/{kelurahan.kode}/tambah/", {"number": "3", "nama": "Lingkungan III",
                                                                  "target": "20"})
    assert response.status_code == 302
    node = Wilayah.objects.get(kode=f"{kelurahan.kode}.03")
    assert (node.parent, node.kelurahan, node.kecamatan, node.kota, node.target) == (
        kelurahan, kelurahan, city.kecamatan[0], city.kota, 20)
    assert AuditLog.objects.filter(action="wilayah_created", object_id=node.kode, actor=admin_kota).exists()
    assert summary(kelurahan.kode, "2025-06-20")["lingkungan"] == 3

    renamed = client.post(f"/wilayah/{node.kode}/nama/", {"nama": "Lingkungan III Baru"})
    assert renamed.status_code == 302
    node.refresh_from_db()
    assert node.nama == "Lingkungan III Baru"
    entry = AuditLog.objects.get(action="wilayah_updated", object_id=node.kode)
    assert (entry.old_values, entry.new_values) == ({"nama": "Lingkungan III"}, {"nama": "Lingkungan III Baru"})


@pytest.mark.parametrize("body", [
    {"number": "1", "nama": "Lingkungan Baru", "target": "25"},  # the code exists
    {"number": "100", "nama": "Lingkungan C", "target": "25"},
    {"number": "0", "nama": "Lingkungan Nol", "target": "25"},
    {"number": "5", "nama": "Lingkungan II", "target": "25"},  # the name exists in the kelurahan
    {"number": "5", "nama": "12345", "target": "25"},
    {"number": "5", "nama": "Lingkungan V", "target": "-3"},
    {"number": "lima", "nama": "Lingkungan V", "target": "25"},
])
def test_bad_input_for_a_new_lingkungan_says_why_and_changes_nothing(admin_kota: User, city: City,
                                                                     body: dict[str, str]) -> None:
    before, audit_before = tree(), AuditLog.objects.count()
    response = signed_in(admin_kota).post(f"/wilayah/{city.kelurahan[0].kode}/tambah/", body)
    assert response.status_code == 200 and response.context["form"].errors
    assert tree() == before and AuditLog.objects.count() == audit_before


def test_a_rename_to_a_name_taken_in_the_kelurahan_is_refused(admin_kota: User, city: City) -> None:
    before = tree()
    response = signed_in(admin_kota).post(f"/wilayah/{city.lingkungan[0].kode}/nama/", {"nama": "lingkungan ii"})
    assert response.status_code == 200 and response.context["rename_form"].non_field_errors()
    assert tree() == before
    other_kelurahan = signed_in(admin_kota).post(f"/wilayah/{city.kelurahan[0].kode}/nama/", {"nama": "Baru"})
    assert other_kelurahan.status_code == 404


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_every_other_role_is_refused(who: str, request: pytest.FixtureRequest, city: City) -> None:
    client = signed_in(request.getfixturevalue(who))
    before, changes = tree(), TargetChange.objects.count()
    own = city.lingkungan[0].kode
    for path in ("/wilayah/", f"/wilayah/{city.kelurahan[0].kode}/", f"/wilayah/{own}/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/wilayah/{own}/target/", {"target": "99", "reason": "alasan"}).status_code == 403
    assert client.post(f"/wilayah/{own}/nama/", {"nama": "Diganti"}).status_code == 403
    assert client.post(f"/wilayah/{city.kelurahan[0].kode}/tambah/",
                       {"number": "9", "nama": "Lingkungan IX", "target": "25"}).status_code == 403
    assert tree() == before and TargetChange.objects.count() == changes
