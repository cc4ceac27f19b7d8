"""Encryption at rest of WeChat session keys (AES-GCM, key derived from GROUPQL_SECRET_KEY)."""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from groupql.errors import SessionKeyStale

_NONCE_BYTES = 12


class SessionKeyCipher:
    def __init__(self, secret_key: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"groupql/session-key/v1"
        ).derive(secret_key.encode())
        self._aead = AESGCM(key)

    def encrypt(self, session_key: str, *, owner: str) -> bytes:
        """Seal a session key; `owner` (appid:openid) is bound in so a sealed key can't be moved."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, session_key.encode(), owner.encode())

    def decrypt(self, sealed: bytes, *, owner: str) -> str:
        try:
            plain = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], owner.encode())
        except (InvalidTag, ValueError):
            # Sealed under another GROUPQL_SECRET_KEY (a dev restart, a key rotation): a fresh
            # login stores the key again.
            raise SessionKeyStale() from None
        return plain.decode()
