"""Checking one worker's data: NIK, phone, age, income and the coded fields.

Every problem is a `(column, message)` pair naming the contract's column, so the web form,
the API and the import report errors the same way. Errors reject; warnings only inform.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.id import nik as stdnum_nik

from kepling.accounts.models import Role, User
from kepling.accounts.permissions import may_credit
from kepling.core.errors import DomainError
from kepling.core.identifiers import ascii_identifier
from kepling.regions.models import LINGKUNGAN, Wilayah
from kepling.workers.references import References

# Declared monthly income bounds for BPU participants (PP 44/2015 and amendments).
INCOME_MIN = 1_000_000
INCOME_MAX = 20_700_000


PROGRAMS = ("JKK-JKM", "JKK-JKM-JHT")
SECTORS = ("transportasi", "lainnya")
PAYERS = ("mandiri", "donatur", "csr", "apbd", "apbn")
SEX_WORDS = {
    "L": "L",
    "LAKI-LAKI": "L",
    "LAKI LAKI": "L",
    "LAKILAKI": "L",
    "PRIA": "L",
    "P": "P",
    "PEREMPUAN": "P",
    "WANITA": "P",
}
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
COMMON_MOBILE = re.compile(r"(?:\+62|62|0)?(8\d{7,12})", re.ASCII)
PHONE_SEPARATORS = str.maketrans("", "", " -.()")
NAME_MAX = 150
OCCUPATION_MAX = 100

Problem = tuple[str, str]


class InvalidWorkerDataError(DomainError):
    """Raised by actions that change a worker when the new data does not pass the checks."""

    def __init__(self, errors: list[Problem], warnings: list[Problem] | None = None) -> None:
        super().__init__("; ".join(f"{c}: {m}" for c, m in errors))
        self.errors = errors
        self.warnings = warnings or []


@dataclass(kw_only=True)
class WorkerInput:
    """A worker as submitted by the form, the API or one import row (contract column names)."""

    nik: str = ""
    nama: str = ""
    jenis_kelamin: str = ""
    tanggal_lahir: datetime.date | None = None
    no_hp: str = ""
    kode_lingkungan: str = ""
    pekerjaan: str = ""
    sektor: str = ""
    penghasilan: int | None = None
    program: str = ""
    sumber_iuran: str = ""
    tanggal_daftar: datetime.date | None = None
    kepling: str = ""
    # Problems found while reading the input (e.g. an unparseable date in an import row);
    # they are reported as they are, and the checks skip those columns.
    read_errors: list[Problem] = field(default_factory=list)
    # Callers that already hold the node may pass it instead of `kode_lingkungan`.
    lingkungan: Wilayah | None = None


@dataclass(frozen=True, kw_only=True)
class CleanWorker:
    """A worker's data after every check passed, normalised for storage."""

    nik: str
    nama: str
    name_key: str
    jenis_kelamin: str
    tanggal_lahir: datetime.date
    no_hp: str
    lingkungan: Wilayah
    pekerjaan: str
    sektor: str
    penghasilan: int
    program: str
    sumber_iuran: str
    tanggal_daftar: datetime.date
    kepling: User | None


@dataclass
class CheckResult:
    """The outcome of checking one worker: clean data, or the errors; warnings either way."""

    clean: CleanWorker | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class NikFacts:
    """What a NIK says about its holder: birth day, month, two-digit year, and sex."""

    day: int
    month: int
    year2: int
    sex: str


def name_key(nama: str) -> str:
    """The form of a name used to spot the same person under two NIKs."""
    return " ".join(nama.casefold().split())


def search_key(text: str, limit: int = 100) -> str:
    """Typed search text in the form of `name_key`, without control characters (a NUL cannot be queried)."""
    printable = "".join(ch for ch in text[: limit * 2] if unicodedata.category(ch) != "Cc" or ch.isspace())
    return name_key(printable)[:limit]


def clean_nik(text: str) -> str:
    """A NIK without the spaces, dots or dashes people type in it."""
    text = ascii_identifier(text or "").strip()
    # Most NIKs arrive clean; skipping the general clean-up matters on 50,000-row imports.
    return text if text.isdigit() else str(stdnum_nik.compact(text))


def nik_facts(nik: str) -> NikFacts:
    """Read the birth date and sex from a 16-digit NIK (ValueError if the date is impossible)."""
    try:
        stdnum_nik.get_birth_date(nik)
    except (StdnumValidationError, ValueError) as exc:
        raise ValueError(nik) from exc
    raw_day = int(nik[6:8])
    return NikFacts(raw_day % 40, int(nik[8:10]), int(nik[10:12]), "P" if raw_day > 40 else "L")


def check_nik(text: str) -> tuple[str | None, NikFacts | None, list[Problem], list[Problem]]:
    """Structure and embedded date of a NIK: (nik, facts, errors, warnings)."""
    nik = clean_nik(text)
    if not nik:
        return None, None, [("nik", _("NIK is required."))], []
    if not nik.isdigit():
        return None, None, [("nik", _("NIK must contain only digits."))], []
    if len(nik) != 16:
        message = _("NIK must be 16 digits; this one has %(count)d.") % {"count": len(nik)}
        return None, None, [("nik", message)], []
    try:
        facts = nik_facts(nik)
    except ValueError:
        message = _(
            "NIK does not hold a valid birth date (digits 7 to 12 are DDMMYY, with 40 added to the day for women)."
        )
        return None, None, [("nik", message)], []
    return nik, facts, [], _region_warnings(nik)


def _region_warnings(nik: str) -> list[Problem]:
    # The code list in python-stdnum lags behind new provinces (e.g. Papua's 2022 split), and
    # the prefix only says where the NIK was issued: an unknown one is worth a look, never a reject.
    if _known_province(nik[:2]):
        return []
    return [
        (
            "nik",
            _("The NIK's province code %(code)s is not a known code; check the number.") % {"code": nik[:2]},
        )
    ]


@functools.cache
def _known_province(code: str) -> bool:
    return bool(numdb.get("id/loc").info(code)[0][1])


def compare_nik_with_stated(
    facts: NikFacts, tanggal_lahir: datetime.date | None, jenis_kelamin: str | None
) -> list[Problem]:
    """Warnings when the NIK's birth date or sex differ from what was stated (both legal)."""
    warnings: list[Problem] = []
    if tanggal_lahir is not None and (facts.day, facts.month, facts.year2) != (
        tanggal_lahir.day,
        tanggal_lahir.month,
        tanggal_lahir.year % 100,
    ):
        embedded = f"{facts.day:02d}-{facts.month:02d}-{facts.year2:02d}"
        warnings.append(
            (
                "tanggal_lahir",
                _(
                    "The birth date in the NIK (%(embedded)s, DD-MM-YY) differs from "
                    "tanggal_lahir; "
                    "check both. The worker is registered with tanggal_lahir."
                )
                % {"embedded": embedded},
            )
        )
    if jenis_kelamin in ("L", "P") and facts.sex != jenis_kelamin:
        warnings.append(
            (
                "jenis_kelamin",
                _("The NIK is of a %(nik_sex)s but jenis_kelamin is %(stated)s; check both.")
                % {
                    "nik_sex": _("woman") if facts.sex == "P" else _("man"),
                    "stated": jenis_kelamin,
                },
            )
        )
    return warnings


def normalise_phone(text: str) -> str:
    """An Indonesian mobile number in E.164 (+62...); raises ValueError otherwise."""
    text = ascii_identifier(text)
    plain = COMMON_MOBILE.fullmatch(text.strip().translate(PHONE_SEPARATORS))
    if plain:
        # The usual 08xx / 628xx / +628xx spellings: skip the general parser (the slowest step
        # of a large import); the number is still checked against phonenumbers' metadata.
        number = phonenumbers.PhoneNumber(country_code=62, national_number=int(plain.group(1)))
    else:
        try:
            number = phonenumbers.parse(text, "ID")
        except phonenumbers.NumberParseException as exc:
            raise ValueError(text) from exc
    # number_type() also checks validity: an invalid number has no type.
    if number.country_code != 62 or phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValueError(text)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Completed years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def program_start() -> datetime.date:
    """The program's launch day, the earliest possible registration date."""
    return datetime.date.fromisoformat(str(settings.PROGRAM_START))


def rupiah(amount: int) -> str:
    """Rp1.000.000, the way amounts are written in Indonesia."""
    return "Rp" + f"{amount:,}".replace(",", ".")


def check_worker(data: WorkerInput, refs: References) -> CheckResult:
    """Run every check on one worker; the result holds clean data only when there is no error."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    nik, facts, nik_errors, nik_warnings = check_nik(data.nik)
    errors += nik_errors
    warnings += nik_warnings
    nama = " ".join(data.nama.split())
    errors += _check_text("nama", nama, NAME_MAX)
    pekerjaan = " ".join(data.pekerjaan.split())
    errors += _check_text("pekerjaan", pekerjaan, OCCUPATION_MAX)
    sex, sex_errors = _check_sex(data.jenis_kelamin)
    errors += sex_errors
    codes, code_errors = _check_codes(data)
    errors += code_errors
    errors += _check_income(data.penghasilan)
    phone, phone_errors = _check_phone(data.no_hp)
    errors += phone_errors
    errors += _check_registration_date(data.tanggal_daftar)
    errors += _check_age(data.tanggal_lahir, data.tanggal_daftar)
    if facts is not None:
        warnings += compare_nik_with_stated(facts, data.tanggal_lahir, sex)
    lingkungan, place_errors = _check_lingkungan(data, refs)
    errors += place_errors
    kepling, kepling_errors, kepling_warnings = _check_kepling(data, lingkungan, refs)
    errors += kepling_errors
    warnings += kepling_warnings
    if data.read_errors:
        already = {column for column, _message in data.read_errors}
        errors = data.read_errors + [e for e in errors if e[0] not in already]
    if errors:
        return CheckResult(None, errors, warnings)
    assert nik and sex and lingkungan and data.tanggal_lahir and data.tanggal_daftar
    assert data.penghasilan is not None
    clean = CleanWorker(
        nik=nik,
        nama=nama,
        name_key=name_key(nama),
        jenis_kelamin=sex,
        tanggal_lahir=data.tanggal_lahir,
        no_hp=phone,
        lingkungan=lingkungan,
        pekerjaan=pekerjaan,
        sektor=codes["sektor"],
        penghasilan=data.penghasilan,
        program=codes["program"],
        sumber_iuran=codes["sumber_iuran"],
        tanggal_daftar=data.tanggal_daftar,
        kepling=kepling,
    )
    return CheckResult(clean, errors, warnings)


def _check_text(column: str, value: str, max_length: int) -> list[Problem]:
    if not value:
        required = {"nama": _("nama (name) is required."), "pekerjaan": _("pekerjaan (occupation) is required.")}
        return [(column, required[column])]
    if len(value) > max_length:
        return [
            (
                column,
                _("%(column)s is too long: at most %(max)d characters.") % {"column": column, "max": max_length},
            )
        ]
    if not any(ch.isalpha() for ch in value) or any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        # A name or occupation is words: digits alone, control or direction-override characters are not.
        return [(column, _("%(column)s must be written in letters.") % {"column": column})]
    return []


def _check_sex(text: str) -> tuple[str | None, list[Problem]]:
    sex = SEX_WORDS.get(" ".join(text.upper().split()))
    if sex is None:
        return None, [("jenis_kelamin", _("jenis_kelamin must be L (male) or P (female)."))]
    return sex, []


def _check_codes(data: WorkerInput) -> tuple[dict[str, str], list[Problem]]:
    program = re.sub(r"[\s+_]+", "-", data.program.strip().upper())
    values = {
        "program": program,
        "sektor": data.sektor.strip().lower(),
        "sumber_iuran": data.sumber_iuran.strip().lower(),
    }
    allowed = {"program": PROGRAMS, "sektor": SECTORS, "sumber_iuran": PAYERS}
    errors: list[Problem] = []
    for column, value in values.items():
        if value not in allowed[column]:
            errors.append(
                (
                    column,
                    _("%(column)s must be one of: %(choices)s.")
                    % {"column": column, "choices": ", ".join(allowed[column])},
                )
            )
    return values, errors


def _check_income(amount: int | None) -> list[Problem]:
    if amount is None:
        return [("penghasilan", _("penghasilan (declared monthly income) is required."))]
    if not INCOME_MIN <= amount <= INCOME_MAX:
        return [
            (
                "penghasilan",
                _("penghasilan must be between %(min)s and %(max)s a month; %(amount)s is outside.")
                % {"min": rupiah(INCOME_MIN), "max": rupiah(INCOME_MAX), "amount": rupiah(amount)},
            )
        ]
    return []


def _check_phone(text: str) -> tuple[str, list[Problem]]:
    # A worker may have no phone of their own: the number is optional, but if given it must work.
    if not text.strip():
        return "", []
    try:
        return normalise_phone(text), []
    except ValueError:
        return "", [
            (
                "no_hp",
                _("no_hp '%(value)s' is not a valid Indonesian mobile number (write it like 0812xxxxxxxx).")
                % {"value": text.strip()},
            )
        ]


def _check_registration_date(day: datetime.date | None) -> list[Problem]:
    if day is None:
        return [("tanggal_daftar", _("tanggal_daftar (registration date) is required."))]
    if day > timezone.localdate():
        return [("tanggal_daftar", _("tanggal_daftar cannot be in the future."))]
    if day < program_start():
        return [
            (
                "tanggal_daftar",
                _("tanggal_daftar cannot be before the program started on %(start)s.")
                % {"start": program_start().isoformat()},
            )
        ]
    return []


def _check_age(birth: datetime.date | None, registered: datetime.date | None) -> list[Problem]:
    if birth is None:
        return [("tanggal_lahir", _("tanggal_lahir (date of birth) is required."))]
    on = registered or timezone.localdate()
    if birth > on:
        return [("tanggal_lahir", _("tanggal_lahir cannot be after the registration date."))]
    age = age_on(birth, on)
    low, high = int(settings.WORKER_MIN_AGE), int(settings.WORKER_MAX_AGE)
    if age < low:
        return [
            (
                "tanggal_lahir",
                _("The worker is %(age)d on the registration date; the minimum age is %(min)d.")
                % {"age": age, "min": low},
            )
        ]
    if age > high:
        return [
            (
                "tanggal_lahir",
                _("The worker is %(age)d on the registration date; the maximum age is %(max)d.")
                % {"age": age, "max": high},
            )
        ]
    return []


def _check_lingkungan(data: WorkerInput, refs: References) -> tuple[Wilayah | None, list[Problem]]:
    node = data.lingkungan
    kode = ascii_identifier(data.kode_lingkungan).strip()
    if node is None:
        if not kode:
            return None, [("kode_lingkungan", _("kode_lingkungan is required."))]
        node = refs.node(kode)
    if node is None:
        return None, [("kode_lingkungan", _("No lingkungan has the code '%(kode)s'.") % {"kode": kode})]
    if node.level != LINGKUNGAN:
        return None, [
            (
                "kode_lingkungan",
                _("'%(kode)s' is a %(level)s, not a lingkungan; use a lingkungan code like 12.71.01.1001.03.")
                % {"kode": node.kode, "level": node.tingkat},
            )
        ]
    if not refs.may_register_in(node):
        return None, [
            (
                "kode_lingkungan",
                _("You may not register workers in lingkungan %(kode)s.") % {"kode": node.kode},
            )
        ]
    return node, []


def _check_kepling(
    data: WorkerInput, lingkungan: Wilayah | None, refs: References
) -> tuple[User | None, list[Problem], list[Problem]]:
    username = data.kepling.strip()
    if not username:
        return None, [], []
    user = refs.user(username)
    if user is None or user.role != Role.KEPLING or not user.is_active:
        return (
            None,
            [
                (
                    "kepling",
                    _("'%(username)s' is not an active Kepling account.") % {"username": username},
                )
            ],
            [],
        )
    if not may_credit(refs.by, user):
        message = _("You may credit only a Kepling of your own area, not '%(username)s'.")
        return None, [("kepling", message % {"username": username})], []
    day = data.tanggal_daftar
    if lingkungan is not None and day is not None and not refs.held_office(user, lingkungan, day):
        return (
            user,
            [],
            [
                (
                    "kepling",
                    _("Kepling '%(username)s' had no term in lingkungan %(kode)s on %(day)s; credited anyway.")
                    % {"username": username, "kode": lingkungan.kode, "day": day.isoformat()},
                )
            ],
        )
    return user, [], []
