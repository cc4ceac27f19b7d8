"""WeChat's encryptedData: AES-128-CBC under the user's session key, decrypted and made."""

import base64
import json
import os
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from groupql.errors import InvalidEncryptedData, SessionKeyStale

_BLOCK_BYTES = 16
_BLOCK_BITS = _BLOCK_BYTES * 8
# Share and group-enter payloads are a few hundred bytes; 64 KiB of ciphertext is far beyond
# anything WeChat sends, so longer text is refused before it is even decoded.
_MAX_CIPHERTEXT_BYTES = 64 * 1024
_MAX_ENCRYPTED_DATA_CHARS = 4 * -(-_MAX_CIPHERTEXT_BYTES // 3)


def decrypt_wechat_data(encrypted_data: str, iv: str, session_key: str) -> dict[str, Any]:
    """The JSON object WeChat encrypted for this session, e.g. wx.getShareInfo's payload."""
    iv_bytes = _decode_base64(iv)
    if iv_bytes is None or len(iv_bytes) != _BLOCK_BYTES:
        raise InvalidEncryptedData()
    if len(encrypted_data) > _MAX_ENCRYPTED_DATA_CHARS:
        raise InvalidEncryptedData()
    ciphertext = _decode_base64(encrypted_data)
    if not ciphertext or len(ciphertext) % _BLOCK_BYTES:
        raise InvalidEncryptedData()
    key = _session_key_bytes(session_key)

    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv_bytes)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    # The ciphertext was well formed, so garbage from here on means another key encrypted it:
    # the client called wx.login again and WeChat rotated the session key.
    unpadder = padding.PKCS7(_BLOCK_BITS).unpadder()
    try:
        plaintext = unpadder.update(padded) + unpadder.finalize()
        payload = json.loads(plaintext.decode("utf-8"))
    except ValueError as error:  # bad padding, UnicodeDecodeError or JSONDecodeError
        raise SessionKeyStale() from error
    if not isinstance(payload, dict):
        raise SessionKeyStale()
    return payload


def encrypt_wechat_data(
    payload: Mapping[str, Any], session_key: str, iv: bytes | None = None
) -> tuple[str, str]:
    """(encryptedData, iv) as WeChat would hand them to the client; for the dev CLI and tests."""
    key = _session_key_bytes(session_key)
    iv_bytes = os.urandom(_BLOCK_BYTES) if iv is None else iv
    plaintext = json.dumps(dict(payload), ensure_ascii=False, separators=(",", ":"))
    padder = padding.PKCS7(_BLOCK_BITS).padder()
    padded = padder.update(plaintext.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv_bytes)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return base64.b64encode(ciphertext).decode("ascii"), base64.b64encode(iv_bytes).decode("ascii")


def _session_key_bytes(session_key: str) -> bytes:
    # The session key is ours (from code2session); if it is unusable, logging in again fixes it.
    key = _decode_base64(session_key)
    if key is None or len(key) != _BLOCK_BYTES:
        raise SessionKeyStale()
    return key


def _decode_base64(text: str) -> bytes | None:
    # Strict base64, except that spaces are put back to '+': query strings and form bodies
    # decode '+' as a space, and that mangling is the most common way encryptedData arrives broken.
    try:
        return base64.b64decode(text.replace(" ", "+"), validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII
        return None
