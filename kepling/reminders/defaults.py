"""The program's reminder rules as first seeded; the messages are written in Bahasa Indonesia (data)."""

from __future__ import annotations

from typing import Any

# Every message says what to pay (amount, month, due date), with what number, where, and what
# the worker gains; each stays under MESSAGE_MAX_CHARS with a long name (tested).
DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "code": "h-3",
        "name": "3 hari sebelum jatuh tempo",
        "kind": "before_due",
        "days_from_due": -3,
        "arrears_months": 0,
        "escalates": False,
        "position": 10,
        "template": (
            "Yth. {nama}, iuran BPJS Ketenagakerjaan bulan {bulan} sebesar {jumlah} jatuh tempo "
            "{jatuh_tempo}. Bayar dengan {nomor} lewat {cara_bayar}. {manfaat} Salam, {kepling} (Kepling)."
        ),
    },
    {
        "code": "tunggakan-1",
        "name": "Tunggakan 1 bulan",
        "kind": "arrears",
        "days_from_due": 1,
        "arrears_months": 1,
        "escalates": False,
        "position": 20,
        "template": (
            "Yth. {nama}, iuran BPJS Ketenagakerjaan bulan {bulan} sebesar {jumlah} belum terbayar "
            "(jatuh tempo {jatuh_tempo}). Bayar dengan {nomor} lewat {cara_bayar}. {manfaat} "
            "Salam, {kepling} (Kepling)."
        ),
    },
    {
        "code": "tunggakan-2",
        "name": "Tunggakan 2 bulan",
        "kind": "arrears",
        "days_from_due": 1,
        "arrears_months": 2,
        "escalates": False,
        "position": 30,
        "template": (
            "Yth. {nama}, iuran BPJS Ketenagakerjaan Anda tertunggak 2 bulan. Iuran bulan {bulan} sebesar "
            "{jumlah} (jatuh tempo {jatuh_tempo}). Bayar dengan {nomor} lewat {cara_bayar}. {manfaat} "
            "Salam, {kepling} (Kepling)."
        ),
    },
    {
        "code": "tunggakan-3",
        "name": "Tunggakan 3 bulan (terakhir sebelum nonaktif)",
        "kind": "arrears",
        "days_from_due": 1,
        "arrears_months": 3,
        "escalates": True,
        "position": 40,
        "template": (
            "Yth. {nama}, iuran BPJS Ketenagakerjaan Anda tertunggak 3 bulan; bulan depan kepesertaan "
            "nonaktif. Iuran bulan {bulan} sebesar {jumlah} (jatuh tempo {jatuh_tempo}). Bayar dengan "
            "{nomor} lewat {cara_bayar}. {manfaat} Salam, {kepling} (Kepling)."
        ),
    },
    {
        "code": "aktifkan-kembali",
        "name": "Ajakan aktif kembali (nonaktif)",
        "kind": "arrears",
        "days_from_due": 1,
        "arrears_months": 4,
        "escalates": False,
        "position": 50,
        "template": (
            "Yth. {nama}, kepesertaan BPJS Ketenagakerjaan Anda nonaktif karena iuran tertunggak. Aktifkan "
            "kembali dengan membayar iuran bulan {bulan} sebesar {jumlah} (jatuh tempo {jatuh_tempo}) "
            "dengan {nomor} lewat {cara_bayar}. {manfaat} Salam, {kepling} (Kepling)."
        ),
    },
]

# Where to pay, as first seeded (editable in the administration).
DEFAULT_PAYMENT_CHANNELS = [
    "aplikasi JMO",
    "bank (teller, ATM, mobile banking)",
    "gerai Indomaret/Alfamart/Kantor Pos",
    "agen Perisai",
]
