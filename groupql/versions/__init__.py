"""Versions of what the store holds, so that an answer can be kept while nothing it read changes.

The store is cut into scopes: a collection's documents of one key (a group's items, one user),
plus two per collection, `<collection>:*any` (moved by every write to it: what an unpinned read
depends on) and `<collection>:*all` (moved by a write whose key is not known: what every read of
the collection depends on). Every write moves one counter, the latest version, and sets the
scopes it touched to it, after the write is done (groupql.store.watched).

An answer is kept with the version of each scope it read (groupql.versions.reading) and is good
while they all still hold it. It is kept only when none of them moved past the latest version
seen before it started: a write that raced the reading makes the answer one no one keeps.
"""

from collections.abc import Iterable, Sequence
from typing import Protocol

ANY = "*any"
ALL = "*all"
# A scope no write moves, which every answer depends on: shared versions that restart (Redis
# emptied) give it another value, so that nothing kept before matches them.
EPOCH = "*epoch"
# About 100 MB of scopes in one process: a million users and groups written to since it started.
MAX_SCOPES = 1_000_000


def scope(collection: str, key: object) -> str:
    return f"{collection}:{key}"


class VersionsUnavailable(Exception):
    """The versions could not be read (Redis does not answer): serve and keep nothing."""


class Versions(Protocol):
    """The versions of the store's scopes, as every writer moves them and every reader of kept
    answers checks them: InProcessVersions, or RedisVersions shared by instances."""

    # Writes whose versions did not move (Redis did not answer): what was kept before one is
    # not served again by this instance.
    lost: int

    async def latest(self) -> int:
        """The version the last write set (0 before any)."""
        ...

    async def of(self, scopes: Sequence[str]) -> list[int]:
        """The version each scope holds (0 for one never written)."""
        ...

    async def moved(self, scopes: Iterable[str]) -> None:
        """Writes to these scopes are done: give them a new latest version."""
        ...

    async def close(self) -> None: ...


class InProcessVersions:
    """One instance's versions: enough where one process holds the store (memory://) or serves
    alone; several instances share theirs through Redis (RedisVersions)."""

    def __init__(self, max_scopes: int = MAX_SCOPES) -> None:
        self.lost = 0
        self._latest = 0
        self._versions: dict[str, int] = {}
        # What a scope not in `_versions` holds: past max_scopes they are all forgotten, and
        # each then holds the latest version of that moment (an answer that read one before
        # can only have read an older or the same version: never one it could mistake).
        self._floor = 0
        self._max_scopes = max_scopes

    async def latest(self) -> int:
        return self._latest

    async def of(self, scopes: Sequence[str]) -> list[int]:
        versions, floor = self._versions, self._floor
        return [versions.get(one, floor) for one in scopes]

    async def moved(self, scopes: Iterable[str]) -> None:
        self._latest += 1
        if len(self._versions) >= self._max_scopes:
            self._versions.clear()
            self._floor = self._latest
        for one in scopes:
            self._versions[one] = self._latest

    async def close(self) -> None:
        pass
