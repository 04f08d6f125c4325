"""Encryption of member personal data at rest, and a keyed index to find members by phone.

One secret (from settings) is stretched with HKDF into two keys: a Fernet key
(AES-128-CBC + HMAC-SHA256, random IV) for names and phone numbers, and an
HMAC-SHA256 key for the phone index. Without the secret the table shows
neither names, phones nor (beyond equality) which rows share a phone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_SECRET_LEN = 16


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


class MemberCipher:
    """Encrypts and decrypts member fields and computes the phone index."""

    def __init__(self, secret: str):
        if len(secret) < MIN_SECRET_LEN:
            raise ValueError(f"the member key must have at least {MIN_SECRET_LEN} characters")
        raw = secret.encode()
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(raw, b"storetwin member fields")))
        self._index_key = _derive(raw, b"storetwin phone index")

    def encrypt(self, text: str) -> bytes:
        """Ciphertext of ``text`` (different every call)."""
        return self._fernet.encrypt(text.encode())

    def decrypt(self, token: bytes) -> str:
        """Plaintext of a token this key made; ValueError if another key made it."""
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken:
            raise ValueError("member data was encrypted with another key") from None

    def phone_index(self, phone: str) -> str:
        """Keyed hash of a phone number: equal phones give equal hex digests."""
        return hmac.new(self._index_key, phone.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """A phone number with all but the first three and last four digits hidden."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
