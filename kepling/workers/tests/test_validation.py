"""The checks on one worker's data, through `check_worker` (what every entry path runs)."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from kepling.testing import City
from kepling.workers.references import References
from kepling.workers.tests.builders import REGISTERED_ON, make_nik, worker_input
from kepling.workers.validation import CheckResult, WorkerInput, check_worker, normalise_phone


def check(data: WorkerInput) -> CheckResult:
    return check_worker(data, References(None))


def columns(problems: list[tuple[str, str]]) -> list[str]:
    return [column for column, _ in problems]


def test_a_valid_worker_passes_without_warnings(city: City) -> None:
    result = check(worker_input())
    assert result.errors == []
    assert result.warnings == []
    assert result.clean is not None
    assert result.clean.no_hp == "+6281234567890"
    assert result.clean.lingkungan.kode == "12.71.01.1001.01"


def test_a_nik_issued_outside_medan_is_accepted(city: City) -> None:
    born = datetime.date(1990, 4, 12)
    result = check(worker_input(nik=make_nik(born, prefix="317101")))
    assert result.errors == []
    assert result.clean is not None


def test_a_nik_from_a_province_the_code_list_lacks_is_accepted_with_a_warning(city: City) -> None:
    born = datetime.date(1990, 4, 12)
    result = check(worker_input(nik=make_nik(born, prefix="930101")))
    assert result.errors == []
    assert columns(result.warnings) == ["nik"]


def test_a_nik_with_separators_is_cleaned(city: City) -> None:
    result = check(worker_input(nik="1271 0112 0490 0001"))
    assert result.errors == []
    assert result.clean is not None and result.clean.nik == "1271011204900001"


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("", "NIK is required."),
        ("12710112049000", "NIK must be 16 digits; this one has 14."),
        ("127101120490000123", "NIK must be 16 digits; this one has 18."),
        ("12710112049O0001", "NIK must contain only digits."),
        ("1271013204900001", "NIK does not hold a valid birth date"),
        ("1271011213900001", "NIK does not hold a valid birth date"),
        ("1271010004900001", "NIK does not hold a valid birth date"),
        ("1271012902010001", "NIK does not hold a valid birth date"),
    ],
)
def test_a_bad_nik_is_rejected_with_a_clear_message(city: City, nik: str, message: str) -> None:
    result = check(worker_input(nik=nik))
    assert result.clean is None
    nik_messages = [m for c, m in result.errors if c == "nik"]
    assert len(nik_messages) == 1
    assert nik_messages[0].startswith(message)


def test_a_birth_date_differing_from_the_nik_is_a_warning_not_an_error(city: City) -> None:
    born = datetime.date(1990, 4, 12)
    result = check(worker_input(nik=make_nik(born), tanggal_lahir=datetime.date(1991, 4, 12)))
    assert result.errors == []
    assert columns(result.warnings) == ["tanggal_lahir"]
    assert "12-04-90" in result.warnings[0][1]
    assert result.clean is not None and result.clean.tanggal_lahir == datetime.date(1991, 4, 12)


def test_a_21_year_old_is_not_taken_for_121(city: City) -> None:
    born = datetime.date(2004, 3, 10)
    nik = make_nik(born)
    assert nik[10:12] == "04"
    result = check(worker_input(nik=nik, tanggal_lahir=born))
    assert result.errors == []
    assert result.warnings == []


def test_a_woman_s_nik_has_40_added_to_the_day(city: City) -> None:
    born = datetime.date(1985, 7, 3)
    result = check(worker_input(nik=make_nik(born, "P"), tanggal_lahir=born, jenis_kelamin="P"))
    assert result.errors == []
    assert result.warnings == []


def test_sex_differing_from_the_nik_is_a_warning(city: City) -> None:
    born = datetime.date(1985, 7, 3)
    result = check(worker_input(nik=make_nik(born, "P"), tanggal_lahir=born, jenis_kelamin="L"))
    assert result.errors == []
    assert columns(result.warnings) == ["jenis_kelamin"]


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (datetime.date(2011, 1, 1), "The worker is 14 on the registration date; the minimum age is 15."),
        (datetime.date(1958, 1, 1), "The worker is 67 on the registration date; the maximum age is 65."),
    ],
)
def test_age_limits_apply_to_the_stated_birth_date(city: City, born: datetime.date, message: str) -> None:
    result = check(worker_input(nik=make_nik(born), tanggal_lahir=born))
    assert result.errors == [("tanggal_lahir", message)]


def test_age_limits_include_both_ends(city: City) -> None:
    just_15 = REGISTERED_ON.replace(year=REGISTERED_ON.year - 15)
    just_65 = REGISTERED_ON.replace(year=REGISTERED_ON.year - 66) + datetime.timedelta(days=1)
    for born in (just_15, just_65):
        assert check(worker_input(nik=make_nik(born), tanggal_lahir=born)).errors == []


@override_settings(WORKER_MAX_AGE=70)
def test_the_age_cap_is_a_setting(city: City) -> None:
    born = datetime.date(1958, 1, 1)
    assert check(worker_input(nik=make_nik(born), tanggal_lahir=born)).errors == []


@pytest.mark.parametrize("phone", ["081234567890", "6281234567890", "+6281234567890", "0812-3456-7890"])
def test_phone_numbers_are_normalised_to_e164(phone: str) -> None:
    assert normalise_phone(phone) == "+6281234567890"


@pytest.mark.parametrize("phone", ["0812", "0612345678", "+6512345678", "nomor hp"])
def test_a_bad_or_landline_phone_is_rejected(city: City, phone: str) -> None:
    result = check(worker_input(no_hp=phone))
    assert columns(result.errors) == ["no_hp"]
    assert "is not a valid Indonesian mobile number" in result.errors[0][1]


def test_no_phone_at_all_is_allowed(city: City) -> None:
    result = check(worker_input(no_hp=""))
    assert result.errors == []
    assert result.clean is not None and result.clean.no_hp == ""


@pytest.mark.parametrize(
    ("amount", "ok"), [(999_999, False), (1_000_000, True), (20_700_000, True), (20_700_001, False)]
)
def test_income_bounds(city: City, amount: int, ok: bool) -> None:
    result = check(worker_input(penghasilan=amount))
    if ok:
        assert result.errors == []
    else:
        assert result.errors == [
            (
                "penghasilan",
                f"penghasilan must be between Rp1.000.000 and Rp20.700.000 a month; Rp{amount:,} is outside.".replace(
                    ",", "."
                ),
            )
        ]


def test_coded_fields_accept_only_the_contract_values(city: City) -> None:
    result = check(worker_input(program="JKP", sektor="pertanian", sumber_iuran="bank", jenis_kelamin="X"))
    assert sorted(columns(result.errors)) == ["jenis_kelamin", "program", "sektor", "sumber_iuran"]
    assert ("program", "program must be one of: JKK-JKM, JKK-JKM-JHT.") in result.errors


def test_coded_fields_are_read_without_regard_to_case(city: City) -> None:
    result = check(worker_input(program="jkk-jkm-jht", sektor="Transportasi", sumber_iuran="CSR", jenis_kelamin="l"))
    assert result.errors == []
    assert result.clean is not None
    assert (result.clean.program, result.clean.sektor, result.clean.sumber_iuran) == (
        "JKK-JKM-JHT",
        "transportasi",
        "csr",
    )


def test_registration_date_must_be_within_the_program(city: City) -> None:
    future = datetime.date.today() + datetime.timedelta(days=2)
    assert check(worker_input(tanggal_daftar=future)).errors == [
        ("tanggal_daftar", "tanggal_daftar cannot be in the future.")
    ]
    assert check(worker_input(tanggal_daftar=datetime.date(2025, 5, 13))).errors == [
        ("tanggal_daftar", "tanggal_daftar cannot be before the program started on 2025-05-14.")
    ]
    assert check(worker_input(tanggal_daftar=datetime.date(2025, 5, 14))).errors == []


@pytest.mark.parametrize(
    ("kode", "message"),
    [
        ("12.71.01.1001.09", "No lingkungan has the code '12.71.01.1001.09'."),
        ("12.71.01.1001", "'12.71.01.1001' is a kelurahan, not a lingkungan"),
        ("", "kode_lingkungan is required."),
    ],
)
def test_the_lingkungan_must_exist_and_be_a_lingkungan(city: City, kode: str, message: str) -> None:
    result = check(worker_input(kode_lingkungan=kode))
    assert columns(result.errors) == ["kode_lingkungan"]
    assert result.errors[0][1].startswith(message)


def test_missing_values_are_named_by_their_column(city: City) -> None:
    result = check(WorkerInput())
    assert set(columns(result.errors)) == {
        "nik",
        "nama",
        "jenis_kelamin",
        "tanggal_lahir",
        "kode_lingkungan",
        "pekerjaan",
        "sektor",
        "penghasilan",
        "program",
        "sumber_iuran",
        "tanggal_daftar",
    }


def test_search_text_keeps_the_name_form_without_control_characters():
    from kepling.workers.validation import search_key

    assert search_key("  Siti\x00  NUR\tHALIZA ") == "siti nur haliza"
    assert search_key("\x00\x07") == ""
    assert len(search_key("a" * 500)) == 100
