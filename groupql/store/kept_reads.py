"""Reads by a scope's key (users and groups by id, a group's member count and newest seq),
kept while the versions (groupql.versions) say nothing wrote that scope since.

Users and groups are read on nearly every request (the viewer, the page's group, the authors of
its items) and written seldom; a group's counts change only with its members or items. A read of
keys whose values are all kept costs one look-up of their versions (in process for the in-memory
store; one Redis MGET with MongoDB and Redis) instead of a round trip (and a copy and a record per
document); a read of any other key reads them all from the store, as before.

Sound as the response cache is: every write moves the scopes it touched after it landed
(groupql.store.watched), and a value is kept with the versions read *before* the read that found
it, so a write racing that read leaves it kept with versions that no longer hold: it is read
again next time. A write whose versions were lost (Redis did not answer) empties what is kept;
what an operator changes by hand in the database, past the versions, counts after MAX_AGE_S at
most. A kept read notes its scopes on the current Reading, as the read it stands for would (an
answer the response cache keeps still depends on them).
"""

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

from groupql.store.collection import Collection
from groupql.versions import ALL, EPOCH, Versions, VersionsUnavailable, scope
from groupql.versions import reading as readings

MAX_AGE_S = 30.0  # as long as a remembered session (groupql.services.known_sessions)
MAX_KEPT = 10_000  # values per collection, the least recently read forgotten first

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def kept_reads(collection: Collection, versions: Versions | None) -> "KeptReads[K, R] | None":
    """Kept reads of `collection`, when its writes move versions (else none are kept)."""
    return None if versions is None else KeptReads(versions, collection.name)


class KeptReads(Generic[K, R]):
    """The kept reads of one collection, by the key its scopes are cut by (groupql.store.watched:
    the id of users and groups, the group of members and items)."""

    def __init__(
        self,
        versions: Versions,
        collection: str,
        *,
        max_kept: int = MAX_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._versions = versions
        self._collection = collection
        self._max_kept = max_kept
        self._clock = clock
        # Each key's value, with its scope's version, and the collection's ALL and EPOCH
        # versions, as read before the read that found it, and when it stops being served.
        self._kept: OrderedDict[K, tuple[R, int, int, int, float]] = OrderedDict()
        self._lost = versions.lost

    async def get_many(
        self,
        keys: Sequence[K],
        read: Callable[[Sequence[K]], Awaitable[list[R]]],
        scope_key: Callable[[K], str] = str,
    ) -> list[R]:
        """The values of these keys: kept ones when all are, else `read` from the store (a key
        it finds nothing for, None, is not kept). `scope_key` is the scope's key of a key (a
        membership's group), when the key is not that itself."""
        if self._versions.lost != self._lost:
            self._kept.clear()  # a write that moved no versions may have changed any of them
            self._lost = self._versions.lost
        scopes = [EPOCH, scope(self._collection, ALL)]
        scopes += [scope(self._collection, scope_key(key)) for key in keys]
        try:
            versions = await self._versions.of(scopes)
        except VersionsUnavailable:
            return await read(keys)
        epoch, all_, *each = versions
        lost = self._lost
        found = self._found(keys, epoch, all_, each)
        if found is not None:
            readings.note_read(scopes[1:])  # as the read by key would (groupql.store.watched)
            return found
        values = await read(keys)
        if self._versions.lost == lost:
            good_until = self._clock() + MAX_AGE_S
            for key, value, version in zip(keys, values, each, strict=True):
                if value is not None:
                    self._keep(key, (value, version, all_, epoch, good_until))
        return values

    def _found(self, keys: Sequence[K], epoch: int, all_: int, each: list[int]) -> list[R] | None:
        kept, now = self._kept, self._clock()
        found: list[R] = []
        for key, version in zip(keys, each, strict=True):
            one = kept.get(key)
            if one is None or one[1:4] != (version, all_, epoch) or now >= one[4]:
                return None
            found.append(one[0])
        for key in keys:
            kept.move_to_end(key)
        return found

    def _keep(self, key: K, entry: tuple[R, int, int, int, float]) -> None:
        self._kept[key] = entry
        self._kept.move_to_end(key)
        if len(self._kept) > self._max_kept:
            self._kept.popitem(last=False)
