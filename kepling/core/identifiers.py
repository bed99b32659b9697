"""Identifiers (NIK, KPJ, phone numbers, area codes, amounts) as ASCII, wherever input enters.

Python's `str.isdigit`, `int()` and the regex `\\d` all accept Arabic-Indic, full-width and other
digits, so the same NIK typed in three scripts passed validation three times and hashed to three
different keys. Everything that validates, hashes or compares an identifier first passes it here.
"""

from __future__ import annotations

import unicodedata


def ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit; other characters unchanged."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and unicodedata.category(ch) == "Nd" else ch for ch in text
    )


def ascii_identifier(text: str) -> str:
    """An identifier as typed, with compatibility forms folded (full-width dots, dashes) and ASCII digits."""
    if text.isascii():
        return text
    return ascii_digits(unicodedata.normalize("NFKC", text))
