"""Answers kept per viewer, and served again while nothing they read has changed.

An answer is the encoded response to one query: its key is the document (by SHA-256), the
operation's name, its variables, who asked and the URL this server answered at. It is kept with
the version of every scope of the store it read (groupql.versions) and served while each still
holds that version, for at most `max_age_s`; one that read the time (an expiry, a poll's close, a
signed URL) until the moment its code said the clock changes it (`changes_at`), else for at most
`timed_max_age_s`. Only error-free queries that wrote nothing are kept.

Costs: a lookup is one versions read (a dict in-process, one MGET with Redis) of the answer's
scopes, about one per document kind and key it read; memory is bounded by `max_bytes` (least
recently used answers go first).
"""

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from groupql.versions import EPOCH, Versions
from groupql.versions.reading import Reading

# How long an answer that asked the time is kept: what the clock changes in it (a poll closed, an
# invitation expired) shows at most this late. A signed URL in it works far longer.
TIMED_MAX_AGE_S = 1.0
# An answer's bookkeeping beyond its bytes and scopes (its key, entry and tuples), roughly.
_ENTRY_OVERHEAD_BYTES = 600
_SCOPE_BYTES = 100  # a scope's name and version, in the entry and in the versions


class Key(NamedTuple):
    """What an answer is kept under. Variables and URL by hash: a client's large or odd values
    cost the cache no more than small ones."""

    document_sha256: str
    operation_name: str
    variables_sha256: str
    viewer_id: str
    public_url_sha256: str


def key_of(
    *,
    document_sha256: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    viewer_id: str,
    public_url: str,
) -> Key:
    # Canonical: the same variables in another order, or spaced otherwise, are the same answer.
    canonical = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"), default=str)
    return Key(
        document_sha256=document_sha256,
        operation_name=(operation_name or "")[:200],
        variables_sha256=_sha256(canonical),
        viewer_id=viewer_id,
        public_url_sha256=_sha256(public_url),
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class _Kept:
    body: bytes
    scopes: tuple[str, ...]
    versions: tuple[int, ...]
    good_until_s: float
    lost: int

    @property
    def size_bytes(self) -> int:
        return len(self.body) + len(self.scopes) * _SCOPE_BYTES + _ENTRY_OVERHEAD_BYTES


class ResponseCache:
    """The answers one process keeps: looked up and kept by the endpoint (groupql.kept_answers),
    checked against the versions on every lookup."""

    def __init__(
        self,
        versions: Versions,
        *,
        max_age_s: float,
        timed_max_age_s: float,
        max_bytes: int,
        clock: Callable[[], float] = time.time,  # seconds since the epoch, as changes_at
    ) -> None:
        self._versions = versions
        self._max_age_s = max_age_s
        self._timed_max_age_s = timed_max_age_s
        self._max_bytes = max_bytes
        self._clock = clock
        self._kept: OrderedDict[Key, _Kept] = OrderedDict()
        self._bytes = 0

    async def start(self) -> Reading:
        """A Reading to run an operation under (before it reads anything)."""
        return Reading(started_at=await self._versions.latest(), lost=self._versions.lost)

    async def answer(self, key: Key) -> bytes | None:
        """The answer kept under `key`, if every scope it read still holds its version."""
        kept = self._kept.get(key)
        if kept is None:
            return None
        if self._clock() >= kept.good_until_s or kept.lost != self._versions.lost:
            self._forget(key)
            return None
        if tuple(await self._versions.of(kept.scopes)) != kept.versions:
            # Something it read changed: it will not be served again.
            if self._kept.get(key) is kept:
                self._forget(key)
            return None
        if self._kept.get(key) is kept:
            self._kept.move_to_end(key)
        return kept.body

    async def keep(self, key: Key, reading: Reading, body: bytes) -> bool:
        """Keep `body`, the answer to what `reading` read, unless a write raced it (or it wrote);
        whether it was kept."""
        scopes = (EPOCH, *sorted(reading.scopes))
        lost = self._versions.lost
        if reading.wrote or lost != reading.lost:
            return False
        versions = tuple(await self._versions.of(scopes))
        if any(version > reading.started_at for version in versions[1:]):
            return False
        now = self._clock()
        good_until_s = now + (self._timed_max_age_s if reading.asked_time else self._max_age_s)
        if reading.changes_at is not None:
            good_until_s = min(good_until_s, reading.changes_at.timestamp())
        kept = _Kept(body, scopes, versions, good_until_s, lost)
        if good_until_s <= now or kept.size_bytes > self._max_bytes:
            return False
        if key in self._kept:
            self._forget(key)
        self._kept[key] = kept
        self._bytes += kept.size_bytes
        while self._bytes > self._max_bytes:
            self._forget(next(iter(self._kept)))
        return True

    def __len__(self) -> int:
        return len(self._kept)

    def _forget(self, key: Key) -> None:
        self._bytes -= self._kept.pop(key).size_bytes
