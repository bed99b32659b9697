import pytest

from kepling.core.models import AuditLog
from kepling.regions.models import LevelName, TargetChange, WilayahStatistic


@pytest.fixture
def admin_client(client, admin_kota):
    admin_kota.is_superuser = True
    admin_kota.save()
    client.force_login(admin_kota)
    return client


@pytest.mark.parametrize("model", ["wilayah", "levelname", "targetchange", "wilayahstatistic", "keplingterm"])
def test_each_region_model_is_listed(admin_client, model):
    assert admin_client.get(f"/admin/regions/{model}/").status_code == 200


def test_target_change_in_the_admin_goes_through_the_history(admin_client, admin_kota, city):
    node = city.lingkungan[0]
    response = admin_client.post(
        f"/admin/regions/wilayah/{node.pk}/change/",
        {"nama": "Lingkungan I", "kode_pos": "", "target": "30"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = TargetChange.objects.filter(wilayah=node).first()
    assert (change.new_target, change.changed_by) == (30, admin_kota)
    assert change.reason == "changed in the admin"


def test_history_is_read_only(admin_client, city):
    change = TargetChange.objects.first()
    assert admin_client.get(f"/admin/regions/targetchange/{change.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/regions/keplingterm/add/").status_code == 403


def test_statistic_form_refuses_more_participants_than_labour_force(admin_client, city):
    response = admin_client.post(
        "/admin/regions/wilayahstatistic/add/",
        {"wilayah": city.kota.pk, "per_tanggal": "2025-09-30", "angkatan_kerja": "10", "peserta_aktif_bpjs": "11"},
    )
    assert response.status_code == 200 and not WilayahStatistic.objects.exists()
    response = admin_client.post(
        "/admin/regions/wilayahstatistic/add/",
        {"wilayah": city.kota.pk, "per_tanggal": "2025-09-30", "angkatan_kerja": "10", "peserta_aktif_bpjs": "9"},
    )
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="statistic_created").exists()


def test_level_name_edit_is_audited(admin_client):
    level = LevelName.objects.get(level=3)
    response = admin_client.post(
        f"/admin/regions/levelname/{level.pk}/change/", {"key": "rt", "name": "RT", "head_title": "Ketua RT"}
    )
    assert response.status_code == 302
    assert AuditLog.objects.get(action="level_name_changed").new_values == {
        "key": "rt",
        "name": "RT",
        "head_title": "Ketua RT",
    }
