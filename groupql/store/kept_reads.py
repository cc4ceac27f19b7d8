"""Reads by a scope's key, kept while the versions say nothing wrote that scope since.

What is kept: users and groups by id, a membership, a group's member count and newest seq. They
are read on nearly every request (the viewer, the page's group, the viewer's standing in it, the
authors of its items) and written seldom. A read of keys whose values are all kept costs one
look-up of their versions (groupql.versions: in process for the in-memory store; one Redis MGET
with MongoDB and Redis) instead of a round trip (and a copy and a record per document); a read of
any other key reads them all from the store, as before.

Sound as the response cache is: every write moves the scopes it touched after it landed
(groupql.store.watched), and a value is kept with the versions read *before* the read that found
it, so a write racing that read leaves it kept with versions that no longer hold: it is read
again next time. Between a write landing and its versions moving (a Redis round trip) a kept
value does not know of it yet: a check that must see what a racing writer wrote reads from the
store (`fresh`). A write whose versions were lost (Redis did not answer) empties what this
instance kept (others may serve what they kept for MAX_AGE_S); so does a change an operator makes
by hand in the database, past the versions, after MAX_AGE_S at most. A kept read notes its scopes
on the current Reading, as the read it stands for would (an answer the response cache keeps
still depends on them).
"""

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, NamedTuple, TypeVar

from groupql.store.collection import Collection
from groupql.versions import ALL, EPOCH, Versions, VersionsUnavailable, scope
from groupql.versions import reading as readings

MAX_AGE_S = 30.0  # as long as a remembered session (groupql.services.known_sessions)
MAX_KEPT = 10_000  # values per collection, the least recently read forgotten first

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
Read = Callable[[Sequence[K]], Awaitable[list[R]]]


def kept_reads(collection: Collection, versions: Versions | None) -> "KeptReads[K, R] | Unkept":
    """Kept reads of `collection` when its writes move versions; else reads that keep nothing."""
    return Unkept() if versions is None else KeptReads(versions, collection.name)


class Unkept:
    """Every read from the store (no versions tell when a value changes)."""

    async def get_many(
        self, keys: Sequence[K], read: Read[K, R], scope_key: Callable[[K], str] = str
    ) -> list[R]:
        return await read(keys)


class _Kept(NamedTuple, Generic[R]):
    value: R
    # The versions read before the read that found it: its scope's, the collection's ALL
    # (writes whose keys were not known) and the EPOCH (shared versions that restarted).
    version: int
    all_version: int
    epoch: int
    good_until: float  # past it, read again (what an operator changed by hand)


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
        self._kept: OrderedDict[K, _Kept[R]] = OrderedDict()
        self._lost = versions.lost

    async def get_many(
        self, keys: Sequence[K], read: Read[K, R], scope_key: Callable[[K], str] = str
    ) -> list[R]:
        """The values of these keys: kept ones when all are, else `read` from the store (a key
        it finds nothing for, None, is not kept). `scope_key` is the key of a key's scope (a
        membership's group), when that is not the key itself."""
        if self._versions.lost != self._lost:
            self._kept.clear()  # a write that moved no versions may have changed any of them
            self._lost = self._versions.lost
        scopes = [EPOCH, scope(self._collection, ALL)]
        scopes += [scope(self._collection, scope_key(key)) for key in keys]
        try:
            epoch, all_version, *each = await self._versions.of(scopes)
            found = self._found(keys, epoch, all_version, each)
            if found is not None:
                readings.note_read(scopes[1:])  # as the read by key would (store.watched)
                return found
            if epoch == 0:
                # Shared versions with no epoch yet (Redis new or emptied): given one now, so
                # that nothing kept from here matches them after another emptying.
                await self._versions.latest()
        except VersionsUnavailable:
            return await read(keys)
        lost = self._lost
        values = await read(keys)
        if self._versions.lost == lost:
            good_until = self._clock() + MAX_AGE_S
            for key, value, version in zip(keys, values, each, strict=True):
                if value is not None:
                    self._keep(key, _Kept(value, version, all_version, epoch, good_until))
        return values

    def _found(
        self, keys: Sequence[K], epoch: int, all_version: int, each: list[int]
    ) -> list[R] | None:
        kept, now = self._kept, self._clock()
        found: list[R] = []
        for key, version in zip(keys, each, strict=True):
            one = kept.get(key)
            if (
                one is None
                or one.version != version
                or one.all_version != all_version
                or one.epoch != epoch
                or now >= one.good_until
            ):
                return None
            found.append(one.value)
        for key in keys:
            kept.move_to_end(key)
        return found

    def _keep(self, key: K, entry: _Kept[R]) -> None:
        self._kept[key] = entry
        self._kept.move_to_end(key)
        if len(self._kept) > self._max_kept:
            self._kept.popitem(last=False)
