"""Where uploaded media bytes live: the `MediaStore` interface and the local-directory store."""

import asyncio
import base64
import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

# Keys are paths like "groups/<id>/<sha256>.jpg". A segment may not start with a dot, which
# refuses "." and ".." and keeps the store's own ".tmp" files out of reach of any key.
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")
_MAX_KEY_LENGTH = 512

# Binds a signature to its purpose, so a secret shared with other signers cannot be replayed here.
_URL_SIGNATURE_CONTEXT = b"groupql media url v1\n"


class MediaMissing(LookupError):
    """No media is stored under the key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"No media is stored under {key!r}.")
        self.key = key


class InvalidMediaKey(ValueError):
    """The key is not a safe relative path of [A-Za-z0-9/_.-]."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"{key[:80]!r} is not a media key: use segments of A-Z a-z 0-9 _ . - joined by '/', "
            "none starting with '.'."
        )
        self.key = key


@dataclass(frozen=True)
class UploadForm:
    """A form a client posts straight to storage (wx.uploadFile: `url`, `formData`, `name`)."""

    url: str
    fields: dict[str, str] = field(repr=False)
    file_field: str = "file"


class MediaStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """The stored bytes; raises `MediaMissing` when nothing is stored under `key`."""
        ...

    async def delete(self, key: str) -> None:
        """Removes the media; deleting what is not there is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...

    def url(self, key: str, *, expires_in_s: int) -> str:
        """A URL anyone holding it can GET for `expires_in_s` seconds (signing does no IO)."""
        ...

    def upload_form(
        self, key: str, *, max_bytes: int, content_type: str, expires_in_s: int
    ) -> UploadForm | None:
        """A form for uploading straight to storage, or None when uploads go through groupql."""
        ...


def check_key(key: str) -> str:
    if not _is_key(key):
        raise InvalidMediaKey(key)
    return key


def _is_key(key: str) -> bool:
    return len(key) <= _MAX_KEY_LENGTH and _KEY.fullmatch(key) is not None


class LocalMediaStore:
    """Files under `root`, served by groupql's own `/media/{key}` route through signed URLs."""

    def __init__(
        self,
        root: Path,
        secret: bytes,
        base_url: str = "",
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if len(secret) < 16:
            raise ValueError("The media URL secret must be at least 16 bytes.")
        self._root = root.resolve()
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._clock = clock

    def path(self, key: str) -> Path:
        """The file that holds `key`, for the route to stream; raises `InvalidMediaKey`."""
        path = self._root / check_key(key)
        # The key pattern already forbids escaping; this also catches a symlink under root.
        if not path.resolve().is_relative_to(self._root):
            raise InvalidMediaKey(key)
        return path

    # Every file system call runs on a thread, path() included: resolving reads symlinks.
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        # The content type is not kept: the route serves the type recorded with the media.
        await asyncio.to_thread(lambda: _write_atomically(self.path(key), data))

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(lambda: self.path(key).read_bytes())
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MediaMissing(key) from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(lambda: self.path(key).unlink(missing_ok=True))

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(lambda: self.path(key).is_file())

    def url(self, key: str, *, expires_in_s: int) -> str:
        expires = int(self._clock().timestamp()) + expires_in_s
        signature = self._signature(check_key(key), expires)
        return f"{self._base_url}/media/{key}?e={expires}&s={signature}"

    def upload_form(
        self, key: str, *, max_bytes: int, content_type: str, expires_in_s: int
    ) -> UploadForm | None:
        return None

    def verify(self, key: str, expires: int, signature: str, now: datetime) -> bool:
        """Whether `/media/{key}?e={expires}&s={signature}` may be served at `now`."""
        if now.timestamp() >= expires or not _is_key(key):
            return False
        expected = self._signature(key, expires).encode()
        return hmac.compare_digest(expected, signature.encode())

    def _signature(self, key: str, expires: int) -> str:
        message = _URL_SIGNATURE_CONTEXT + f"{key}\n{expires}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never a partial write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            temp.flush()
            # The caller records the media as stored once this returns: make that survive a crash.
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
