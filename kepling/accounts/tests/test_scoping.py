import pytest

from kepling.accounts.models import Role
from kepling.accounts.scoping import wilayah_for
from kepling.testing import City, make_user


def codes(user):
    return sorted(wilayah_for(user).values_list("kode", flat=True))


@pytest.mark.parametrize(
    ("role", "node_index", "expected"),
    [
        (Role.KEPLING, ("lingkungan", 0), ["12.71.01.1001.01"]),
        (Role.LURAH, ("kelurahan", 0), ["12.71.01.1001", "12.71.01.1001.01", "12.71.01.1001.02"]),
        (Role.CAMAT, ("kecamatan", 1), [
            "12.71.02", "12.71.02.1001", "12.71.02.1001.01", "12.71.02.1001.02",
            "12.71.02.1002", "12.71.02.1002.01", "12.71.02.1002.02",
        ]),
    ],
)
def test_each_role_sees_exactly_its_subtree(city: City, role, node_index, expected):
    attr, i = node_index
    user = make_user("u", role, getattr(city, attr)[i])
    assert codes(user) == expected


def test_city_roles_see_everything(city: City, admin_kota, pimpinan, petugas_bpjs):
    everything = 1 + 2 + 4 + 8
    for user in (admin_kota, pimpinan, petugas_bpjs):
        assert wilayah_for(user).count() == everything


def test_user_without_role_or_area_sees_nothing(city: City):
    assert codes(make_user("nobody", "", None)) == []
    assert codes(make_user("lost", Role.LURAH, None)) == []
