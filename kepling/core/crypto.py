"""NIK protection: AES-GCM encryption at rest and a keyed hash (HMAC) for look-ups.

Both keys come from settings (the environment), never from the database, so a copy of the
database alone reveals no NIK.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


@functools.cache
def _cipher() -> AESGCM:
    key = base64.b64decode(settings.NIK_ENCRYPTION_KEY)
    if len(key) not in (16, 24, 32):
        raise ValueError("NIK_ENCRYPTION_KEY must be 16, 24 or 32 bytes, base64-encoded.")
    return AESGCM(key)


def encrypt_text(plain: str) -> str:
    """Encrypt a short text; returns base64 of nonce + ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher().encrypt(nonce, plain.encode(), b"kepling-nik")
    return base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_text(token: str) -> str:
    """Reverse of `encrypt_text`."""
    raw = base64.b64decode(token)
    return _cipher().decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], b"kepling-nik").decode()


def lookup_hash(value: str) -> str:
    """Keyed hash of a NIK (or other identifier) used for equality look-ups and uniqueness."""
    key = settings.NIK_LOOKUP_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """`1271********0001`: region prefix and serial only."""
    if len(nik) < 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
