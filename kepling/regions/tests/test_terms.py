import datetime

import pytest

from kepling.accounts.models import Role
from kepling.core.models import AuditLog
from kepling.regions.actions import TermConflictError, end_kepling_term, start_kepling_term
from kepling.regions.models import KeplingTerm
from kepling.regions.queries import kepling_in_office
from kepling.testing import make_user

D = datetime.date


@pytest.fixture
def budi(db):
    return make_user("budi", "", None, full_name="Budi")


@pytest.fixture
def sari(db):
    return make_user("sari", Role.KEPLING, None, full_name="Sari")


def test_starting_a_term_binds_the_user_and_is_audited(city, admin_kota, budi):
    lingkungan = city.lingkungan[0]
    term = start_kepling_term(by=admin_kota, kepling=budi, lingkungan=lingkungan, start=D(2025, 5, 14))
    budi.refresh_from_db()
    assert (budi.role, budi.wilayah) == (Role.KEPLING, lingkungan)
    assert (term.start, term.end) == (D(2025, 5, 14), None)
    entry = AuditLog.objects.get(action="kepling_term_started")
    assert entry.actor == admin_kota
    assert entry.new_values == {"kepling": "budi", "lingkungan": lingkungan.kode, "start": "2025-05-14"}
    assert kepling_in_office(lingkungan, D(2025, 6, 1)) == budi


def test_successor_ends_the_previous_term_the_day_before_and_history_is_kept(city, admin_kota, budi, sari):
    lingkungan = city.lingkungan[0]
    first = start_kepling_term(by=admin_kota, kepling=budi, lingkungan=lingkungan, start=D(2022, 1, 1))
    start_kepling_term(by=admin_kota, kepling=sari, lingkungan=lingkungan, start=D(2025, 1, 1))
    first.refresh_from_db()
    assert first.end == D(2024, 12, 31)
    terms = list(KeplingTerm.objects.filter(lingkungan=lingkungan).values_list("kepling__username", "start", "end"))
    assert terms == [("budi", D(2022, 1, 1), D(2024, 12, 31)), ("sari", D(2025, 1, 1), None)]
    assert kepling_in_office(lingkungan, D(2024, 12, 31)) == budi
    assert kepling_in_office(lingkungan, D(2025, 1, 1)) == sari
    ended = AuditLog.objects.get(action="kepling_term_ended")
    assert ended.new_values == {"end": "2024-12-31"} and "sari" in ended.note


@pytest.mark.parametrize("start", [D(2024, 12, 31), D(2025, 1, 1)])
def test_start_on_or_before_the_current_term_is_rejected(city, budi, sari, start):
    lingkungan = city.lingkungan[0]
    start_kepling_term(by=None, kepling=budi, lingkungan=lingkungan, start=D(2025, 1, 1))
    audit_rows = AuditLog.objects.count()
    with pytest.raises(TermConflictError, match="budi"):
        start_kepling_term(by=None, kepling=sari, lingkungan=lingkungan, start=start)
    assert KeplingTerm.objects.filter(lingkungan=lingkungan).count() == 1
    assert KeplingTerm.objects.get(lingkungan=lingkungan).end is None
    assert AuditLog.objects.count() == audit_rows
    sari.refresh_from_db()
    assert sari.wilayah is None


def test_start_inside_a_closed_term_is_rejected(city, budi, sari):
    lingkungan = city.lingkungan[0]
    term = start_kepling_term(by=None, kepling=budi, lingkungan=lingkungan, start=D(2022, 1, 1))
    end_kepling_term(by=None, term=term, end=D(2024, 6, 30))
    with pytest.raises(TermConflictError, match="2024-06-30"):
        start_kepling_term(by=None, kepling=sari, lingkungan=lingkungan, start=D(2024, 6, 30))
    later = start_kepling_term(by=None, kepling=sari, lingkungan=lingkungan, start=D(2024, 7, 1))
    assert later.end is None
    assert kepling_in_office(lingkungan, D(2024, 6, 30)) == budi


def test_one_in_office_per_lingkungan(city, budi, sari):
    lingkungan = city.lingkungan[0]
    start_kepling_term(by=None, kepling=budi, lingkungan=lingkungan, start=D(2022, 1, 1))
    start_kepling_term(by=None, kepling=sari, lingkungan=lingkungan, start=D(2023, 1, 1))
    start_kepling_term(by=None, kepling=budi, lingkungan=lingkungan, start=D(2024, 1, 1))
    assert KeplingTerm.objects.filter(lingkungan=lingkungan, end__isnull=True).count() == 1
    for day in (D(2022, 6, 1), D(2023, 6, 1), D(2024, 6, 1)):
        covering = [
            t
            for t in KeplingTerm.objects.filter(lingkungan=lingkungan)
            if t.start <= day and (t.end is None or t.end >= day)
        ]
        assert len(covering) == 1


def test_already_in_office_is_a_conflict(city, budi):
    lingkungan = city.lingkungan[0]
    start_kepling_term(by=None, kepling=budi, lingkungan=lingkungan, start=D(2022, 1, 1))
    with pytest.raises(TermConflictError, match="already in office"):
        start_kepling_term(by=None, kepling=budi, lingkungan=lingkungan, start=D(2023, 1, 1))


def test_moving_to_another_lingkungan_ends_the_term_there(city, budi):
    old, new = city.lingkungan[0], city.lingkungan[5]
    first = start_kepling_term(by=None, kepling=budi, lingkungan=old, start=D(2022, 1, 1))
    start_kepling_term(by=None, kepling=budi, lingkungan=new, start=D(2025, 3, 1))
    first.refresh_from_db()
    budi.refresh_from_db()
    assert first.end == D(2025, 2, 28) and budi.wilayah == new
    assert kepling_in_office(old, D(2025, 3, 1)) is None


def test_terms_only_in_a_lingkungan_and_only_for_kepling_accounts(city, budi, lurah):
    with pytest.raises(ValueError, match="not a lingkungan"):
        start_kepling_term(by=None, kepling=budi, lingkungan=city.kelurahan[0], start=D(2025, 1, 1))
    with pytest.raises(ValueError, match="not a Kepling"):
        start_kepling_term(by=None, kepling=lurah, lingkungan=city.lingkungan[0], start=D(2025, 1, 1))
    assert not KeplingTerm.objects.exists()


def test_end_term_rules(city, admin_kota, budi):
    term = start_kepling_term(by=None, kepling=budi, lingkungan=city.lingkungan[0], start=D(2025, 1, 1))
    with pytest.raises(TermConflictError, match="before it starts"):
        end_kepling_term(by=admin_kota, term=term, end=D(2024, 12, 31))
    end_kepling_term(by=admin_kota, term=term, end=D(2025, 12, 31), reason="resigned")
    term.refresh_from_db()
    assert term.end == D(2025, 12, 31)
    entry = AuditLog.objects.get(action="kepling_term_ended")
    assert entry.actor == admin_kota and entry.note == "resigned"
    with pytest.raises(TermConflictError, match="already ended"):
        end_kepling_term(by=admin_kota, term=term, end=D(2026, 1, 31))
