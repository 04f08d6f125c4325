"""Encryption of member personal data at rest, and a keyed index to find members by phone.

One secret (from settings) is stretched with HKDF into the keys: an AES-256-GCM
key for names and phone numbers, and an HMAC-SHA256 key for the phone index.
Without the secret the table shows neither names, phones nor (beyond
equality) which rows share a phone.

A field is sealed as ``0x01 | 12-byte random nonce | ciphertext and tag``, with
the field's name as associated data, so a phone token copied into the name
column does not decrypt. AES-GCM is one call into OpenSSL, where Fernet (the
format before) stacks AES-CBC, padding, HMAC and base64 in Python: a twin's
store-day registers some 500 members, and Fernet cost ten times as much per
field. Fernet tokens written before still decrypt (they start with ``gAAAA``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_SECRET_LEN = 16
SEALED = b"\x01"
"""First byte of a field sealed with AES-GCM (a Fernet token starts with ``g``)."""
_NONCE = 12


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


class MemberCipher:
    """Encrypts and decrypts member fields and computes the phone index."""

    def __init__(self, secret: str):
        if len(secret) < MIN_SECRET_LEN:
            raise ValueError(f"the member key must have at least {MIN_SECRET_LEN} characters")
        raw = secret.encode()
        self._aead = AESGCM(_derive(raw, b"storetwin member fields aes-256-gcm"))
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(raw, b"storetwin member fields")))
        self._index_key = _derive(raw, b"storetwin phone index")
        # the key's padded inner and outer digests, made once: each index copies them
        self._index_mac = hmac.new(self._index_key, digestmod=hashlib.sha256)

    def encrypt(self, text: str, field: str) -> bytes:
        """Ciphertext of ``text`` for the column ``field`` (different every call)."""
        nonce = os.urandom(_NONCE)
        return SEALED + nonce + self._aead.encrypt(nonce, text.encode(), field.encode())

    def decrypt(self, token: bytes, field: str) -> str:
        """Plaintext of a token this key made for ``field``.

        Raises:
            ValueError: another key made it, it was made for another field, or it was altered.
        """
        token = bytes(token)
        try:
            if token[:1] == SEALED:
                nonce, sealed = token[1 : 1 + _NONCE], token[1 + _NONCE :]
                return self._aead.decrypt(nonce, sealed, field.encode()).decode()
            return self._fernet.decrypt(token).decode()  # written before AES-GCM
        except (InvalidTag, InvalidToken):
            raise ValueError(f"member {field} was encrypted with another key") from None

    def phone_index(self, phone: str) -> str:
        """Keyed hash of a phone number: equal phones give equal hex digests."""
        mac = self._index_mac.copy()
        mac.update(phone.encode())
        return mac.hexdigest()


def mask_phone(phone: str) -> str:
    """A phone number with all but the first three and last four digits hidden."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
