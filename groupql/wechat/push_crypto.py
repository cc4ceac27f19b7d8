"""Safe mode (安全模式) of WeChat's message push: each push's body is encrypted with the
console's EncodingAESKey, so it is WeChat's and was not read on the way."""

import base64
import binascii
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_PAD_BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16
_RANDOM_BYTES = 16


class PushRejected(Exception):
    """A push that is not WeChat's, or not readable; answer it with an HTTP error."""


def encrypt_push(
    message: bytes, *, encoding_aes_key: str, appid: str, random_prefix: bytes | None = None
) -> str:
    """Safe mode's `Encrypt` for `message`, as WeChat makes it; for tests and the fake WeChat."""
    key = _aes_key(encoding_aes_key)
    prefix = os.urandom(_RANDOM_BYTES) if random_prefix is None else random_prefix
    plain = prefix + struct.pack(">I", len(message)) + message + appid.encode("utf-8")
    pad = _PAD_BLOCK - len(plain) % _PAD_BLOCK
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    ciphertext = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
    return base64.b64encode(ciphertext).decode("ascii")


def decrypt_push(encrypt: str, *, encoding_aes_key: str, appid: str) -> bytes:
    """The message inside safe mode's `Encrypt`: AES-256-CBC, IV the key's first 16 bytes, over
    16 random bytes, the message's length (4 bytes, big-endian), the message and the appid."""
    key = _aes_key(encoding_aes_key)
    try:
        ciphertext = base64.b64decode(encrypt, validate=True)
    except (binascii.Error, ValueError):
        raise PushRejected("Encrypt is not base64") from None
    if not ciphertext or len(ciphertext) % _PAD_BLOCK:
        raise PushRejected("Encrypt has a wrong length")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(ciphertext) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= _PAD_BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise PushRejected("cannot decrypt: wrong EncodingAESKey?")
    content = plain[_RANDOM_BYTES:-pad]
    if len(content) < 4:
        raise PushRejected("cannot decrypt: too short")
    (length,) = struct.unpack(">I", content[:4])
    if length > len(content) - 4:
        raise PushRejected("cannot decrypt: wrong EncodingAESKey?")
    if content[4 + length :] != appid.encode("utf-8"):
        raise PushRejected("the push was made for another mini-program")
    return content[4 : 4 + length]


def _aes_key(encoding_aes_key: str) -> bytes:
    # A configuration error, not the request's fault: ValueError rather than PushRejected.
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise ValueError("EncodingAESKey must be the console's 43 characters of base64")
    return key
