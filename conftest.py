"""Personas shared by every app's tests: a city, and one user of each role."""

from __future__ import annotations

import pytest

from kepling.accounts.models import Role, User
from kepling.testing import City, build_city, make_user


@pytest.fixture
def city(db: None) -> City:
    return build_city()


@pytest.fixture
def kepling_user(city: City) -> User:
    """The Kepling of 12.71.01.1001.01."""
    return make_user("kepling-a", Role.KEPLING, city.lingkungan[0])


@pytest.fixture
def other_kepling(city: City) -> User:
    """The Kepling of the next lingkungan, 12.71.01.1001.02."""
    return make_user("kepling-b", Role.KEPLING, city.lingkungan[1])


@pytest.fixture
def lurah(city: City) -> User:
    return make_user("lurah", Role.LURAH, city.kelurahan[0])


@pytest.fixture
def camat(city: City) -> User:
    return make_user("camat", Role.CAMAT, city.kecamatan[0])


@pytest.fixture
def admin_kota(city: City) -> User:
    return make_user("admin", Role.ADMIN_KOTA, city.kota, is_staff=True)


@pytest.fixture
def petugas_bpjs(city: City) -> User:
    return make_user("bpjs", Role.PETUGAS_BPJS, city.kota)


@pytest.fixture
def pimpinan(city: City) -> User:
    return make_user("pimpinan", Role.PIMPINAN, city.kota)
