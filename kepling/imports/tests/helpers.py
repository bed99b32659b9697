"""Small builders for import tests: extract files written in tmp_path."""

from __future__ import annotations

import csv
from pathlib import Path

from kepling.core.tabular import ImportResult

PAYMENT_HEADER = ["nik", "kpj", "periode", "jumlah", "tanggal_bayar", "referensi"]
KNOWN_NIK = "1271011505900001"
UNKNOWN_NIK = "1271011505909999"


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def messy_extract(path: Path) -> Path:
    """Good, underpaid, unknown-NIK, duplicate, bad-month, bad-amount and formula rows."""
    return write_csv(
        path,
        PAYMENT_HEADER,
        [
            [KNOWN_NIK, "12345678901", "2025-06", "16800", "2025-06-10", "REF-1"],  # row 2 good
            [KNOWN_NIK, "12345678901", "2025-07", "8000", "2025-07-10", "REF-2"],  # row 3 underpaid
            [UNKNOWN_NIK, "", "2025-06", "Rp 16.800", "10/06/2025", "REF-3"],  # row 4 unknown NIK, kept
            [KNOWN_NIK, "", "2025-08", "16800", "2025-08-10", "REF-1"],  # row 5 duplicate reference
            [KNOWN_NIK, "", "2025-13", "16800", "2025-08-10", "REF-5"],  # row 6 bad month
            [KNOWN_NIK, "", "2025-09", "enam belas", "2025-09-10", "REF-6"],  # row 7 bad amount
            [KNOWN_NIK, "", "2025-09", "-16800", "2025-09-10", "=HYPERLINK(\"http://x\")"],  # row 8
        ],
    )


def assert_nothing_lost(result: dict | ImportResult | None) -> None:
    """Every row is applied, already present, or rejected with a reason."""
    assert result is not None
    counts = result if isinstance(result, dict) else result.as_dict()
    assert counts["rows"] == counts["applied"] + counts["already_present"] + counts["rejected"]
    rejected_rows = {e["row"] for e in counts["errors"]}
    assert len(rejected_rows) == counts["rejected"]
