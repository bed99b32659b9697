"""Synthetic but plausible Medan residents: names, NIKs, phones and occupations."""

from __future__ import annotations

import datetime
import random

MEN = [
    "Ahmad",
    "Rizky",
    "Budi",
    "Hendra",
    "Joko",
    "Andi",
    "Fauzi",
    "Syahrial",
    "Rahmat",
    "Dedi",
    "Irwan",
    "Taufik",
    "Zulkifli",
    "Bonar",
    "Parlindungan",
    "Marolop",
    "Togar",
    "Junaidi",
    "Erwin",
    "Suryadi",
    "Agus",
    "Hasan",
    "Ilham",
    "Yusuf",
    "Darwin",
    "Ridwan",
    "Samsul",
    "Herman",
    "Martua",
    "Poltak",
    "Wahyu",
    "Arif",
    "Muhammad",
    "Fadli",
    "Rudi",
    "Anto",
    "Sahat",
    "Robert",
    "Benny",
    "Halomoan",
]
WOMEN = [
    "Siti",
    "Nur",
    "Dewi",
    "Rina",
    "Sri",
    "Lestari",
    "Fitri",
    "Yanti",
    "Rosmawati",
    "Hotmaida",
    "Nurhayati",
    "Masniari",
    "Rosdiana",
    "Ernawati",
    "Sumiati",
    "Wati",
    "Lina",
    "Mariani",
    "Dian",
    "Ratna",
    "Nurul",
    "Aisyah",
    "Kartini",
    "Tiurma",
    "Romauli",
    "Juliana",
    "Evi",
    "Melati",
    "Sartika",
    "Ani",
    "Rahmah",
    "Suryani",
    "Friska",
    "Lisna",
    "Maya",
    "Indah",
    "Novita",
    "Ida",
    "Rohani",
    "Yusnita",
]
MIDDLE = ["", "", "", "Putra", "Putri", "Sari", "Hidayat", "Saputra", "Wijaya", "Kurniawan", "Ayu", "Pratama"]
MARGA = [
    "",
    "",
    "",
    "",
    "Siregar",
    "Nasution",
    "Lubis",
    "Harahap",
    "Simanjuntak",
    "Sitorus",
    "Hutagalung",
    "Manurung",
    "Sinaga",
    "Tampubolon",
    "Pardede",
    "Ginting",
    "Sembiring",
    "Tarigan",
    "Purba",
    "Damanik",
    "Saragih",
    "Panjaitan",
    "Situmorang",
    "Pohan",
    "Batubara",
    "Hasibuan",
    "Daulay",
    "Tanjung",
    "Rangkuti",
    "Matondang",
    "Pulungan",
    "Sihombing",
    "Simatupang",
    "Napitupulu",
]
OCCUPATIONS = [
    ("Pengemudi ojek online", "transportasi", 9),
    ("Kurir", "transportasi", 4),
    ("Penarik becak motor", "transportasi", 5),
    ("Sopir angkot", "transportasi", 3),
    ("Pedagang kaki lima", "lainnya", 14),
    ("Pedagang pasar", "lainnya", 10),
    ("Buruh bangunan", "lainnya", 8),
    ("Penjahit", "lainnya", 4),
    ("Juru parkir", "lainnya", 4),
    ("Asisten rumah tangga", "lainnya", 6),
    ("Nelayan", "lainnya", 3),
    ("Montir", "lainnya", 3),
    ("Tukang cukur", "lainnya", 2),
    ("Pedagang warung", "lainnya", 8),
    ("Petani kota", "lainnya", 2),
    ("Tukang las", "lainnya", 2),
    ("Penjual makanan keliling", "lainnya", 6),
    ("Pemulung", "lainnya", 2),
    ("Buruh angkut", "lainnya", 3),
]
PHONE_PREFIXES = ["812", "813", "821", "822", "823", "852", "853", "811", "857", "858", "877", "878", "896", "895"]
# NIKs first issued outside Medan: Deli Serdang, Langkat, Toba, Simalungun, Karo, Aceh, Jakarta.
OTHER_REGIONS = ["120701", "120702", "120502", "121201", "120801", "120601", "110101", "317101"]


def full_name(rng: random.Random, female: bool) -> str:
    """A first name, sometimes a second name, sometimes a Batak marga."""
    parts = [rng.choice(WOMEN if female else MEN), rng.choice(MIDDLE), rng.choice(MARGA)]
    return " ".join(p for p in parts if p)


def birth_date(rng: random.Random, registered: datetime.date) -> datetime.date:
    """An adult of working age (19 to 62) on the registration date."""
    age_days = rng.randint(19 * 365 + 5, 62 * 365 - 5)
    return registered - datetime.timedelta(days=age_days)


class NikFactory:
    """Structurally valid NIKs, unique within one scenario."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serials: dict[str, int] = {}

    def make(self, kecamatan_number: int, born: datetime.date, female: bool) -> str:
        region = f"1271{kecamatan_number:02d}" if self.rng.random() < 0.9 else self.rng.choice(OTHER_REGIONS)
        day = born.day + (40 if female else 0)
        stem = f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}"
        serial = self.serials.get(stem, 0) + 1
        self.serials[stem] = serial
        return f"{stem}{serial:04d}"


def phone(rng: random.Random) -> str:
    """An Indonesian mobile number in E.164 form."""
    return f"+62{rng.choice(PHONE_PREFIXES)}{rng.randint(10_000_000, 99_999_999)}"


def occupation(rng: random.Random) -> tuple[str, str]:
    """An informal occupation and its BPJS sector."""
    names, weights = zip(*[((o, s), w) for o, s, w in OCCUPATIONS], strict=True)
    choice: tuple[str, str] = rng.choices(names, weights=weights)[0]
    return choice


def roman(number: int) -> str:
    """Lingkungan are numbered with Roman numerals in Medan."""
    table = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in table:
        while number >= value:
            out += letters
            number -= value
    return out
