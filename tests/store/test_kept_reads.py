"""Users and groups read by id are kept while nothing writes them: a read of kept ones makes no
round trip, and never answers what a finished write changed (also when writes race the reads,
in waves of many writers and readers); lost versions, age, a new epoch and the bound end what is
kept."""

import asyncio
import random
from collections.abc import Sequence
from typing import Any

from groupql.changes import Changes
from groupql.records import GroupSettings, User
from groupql.store.collection import Collection, Document, Filter
from groupql.store.kept_reads import MAX_AGE_S, KeptReads
from groupql.store.repositories import Store
from groupql.store.users import Users
from groupql.versions import EPOCH, InProcessVersions, VersionsUnavailable
from groupql.versions.reading import Reading, reading
from tests.store.kept_races import NOW, Finds, a_database, logged_in, race_in_waves


async def test_a_kept_user_is_read_without_a_round_trip_until_a_write_changes_it() -> None:
    finds = Finds()
    store = Store.on(a_database(finds))
    a, b = await logged_in(store, 2)
    with finds.counted() as first:
        assert await store.users.get_many([a.id, b.id]) == [a, b]
    with finds.counted() as again:
        assert await store.users.get_many([b.id, a.id]) == [b, a]
    assert (first, again) == ([1], [0])

    changed = await store.users.change(a.id, Changes(User, nickname="Ann"))
    with finds.counted() as after_write:
        assert await store.users.get_many([a.id]) == [changed]
    assert after_write == [1]
    # A login writes the user by its openid, not its id: what it changed is read again too.
    relogged = await store.users.record_login(
        appid="app", openid="o1", unionid="u1", encrypted_session_key=b"k2", now=NOW
    )
    [found] = await store.users.get_many([b.id])
    assert found == relogged and found is not None and found.unionid == "u1"


async def test_ids_read_together_are_kept_only_when_found() -> None:
    finds = Finds()
    store = Store.on(a_database(finds))
    [a] = await logged_in(store, 1)
    group = await store.groups.create_app_group(
        appid="app", title="G", settings=GroupSettings(), owner_id=a.id, now=NOW
    )
    await store.groups.get_many([group.id])
    missing = "0" * 24
    with finds.counted() as reads:
        assert await store.users.get_many([a.id]) == [a]  # not read before: a round trip
        assert await store.users.get_many([a.id, missing]) == [a, None]
        assert await store.users.get_many([missing]) == [None]
        assert await store.groups.get_many([group.id]) == [group]  # kept
    assert reads == [3]


async def test_a_kept_read_notes_what_the_read_would_on_the_reading() -> None:
    finds = Finds()
    store = Store.on(a_database(finds))
    [a] = await logged_in(store, 1)
    await store.users.get_many([a.id])
    started = Reading(started_at=0)
    with finds.counted() as reads, reading(started):
        await store.users.get_many([a.id])
    assert reads == [0]
    assert started.scopes == {"users:*all", f"users:{a.id}"}


class SlowReplies:
    """A collection whose finds' replies take a few turns of the event loop to come back after
    the documents were read, as a server's do: writes land between a read and its reply."""

    def __init__(self, inner: Collection, rng: random.Random) -> None:
        self._inner = inner
        self._rng = rng

    def find(self, filter: Filter) -> "_SlowCursor":
        return _SlowCursor(self._inner.find(filter), self._rng.randint(0, 3))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _SlowCursor:
    def __init__(self, cursor: Any, turns: int) -> None:
        self._cursor = cursor
        self._turns = turns

    async def to_list(self) -> list[Document]:
        found: list[Document] = await self._cursor.to_list()
        for _ in range(self._turns):
            await asyncio.sleep(0)
        return found


async def test_reads_racing_writes_in_waves_never_answer_what_a_finished_write_changed() -> None:
    finds = Finds()
    database = a_database(finds)
    assert database.versions is not None
    users = Users(
        SlowReplies(database.users, random.Random(3)),  # type: ignore[arg-type]
        KeptReads(database.versions, "users"),
    )
    await race_in_waves([users], await logged_in(Store.on(database), 8))


async def test_lost_versions_and_age_empty_what_is_kept() -> None:
    finds = Finds()
    database = a_database(finds)
    seconds = [0.0]
    versions = database.versions
    assert isinstance(versions, InProcessVersions)
    users = Users(database.users, KeptReads(versions, "users", clock=lambda: seconds[0]))
    [a] = await logged_in(Store.on(database), 1)
    await users.get_many([a.id])
    versions.lost += 1  # a write whose versions Redis did not take
    with finds.counted() as after_loss:
        await users.get_many([a.id])
        await users.get_many([a.id])
    seconds[0] += MAX_AGE_S  # past the age an operator's change by hand may go unseen
    with finds.counted() as after_age:
        await users.get_many([a.id])
    assert (after_loss, after_age) == ([1], [1])


async def test_without_versions_every_read_goes_to_the_store() -> None:
    class Unavailable(InProcessVersions):
        async def of(self, scopes: Sequence[str]) -> list[int]:
            raise VersionsUnavailable("redis is down")

    finds = Finds()
    database = a_database(finds)
    users = Users(database.users, KeptReads(Unavailable(), "users"))
    [a] = await logged_in(Store.on(database), 1)
    with finds.counted() as reads:
        for _ in range(3):
            assert await users.get_many([a.id]) == [a]
    assert reads == [3]


async def test_the_least_recently_read_are_forgotten_past_the_bound() -> None:
    finds = Finds()
    database = a_database(finds)
    assert database.versions is not None
    users = Users(database.users, KeptReads(database.versions, "users", max_kept=2))
    a, b, c = await logged_in(Store.on(database), 3)
    for one in (a, b, a, c):  # b is the least recently read when c comes
        await users.get_many([one.id])
    with finds.counted() as reads:
        await users.get_many([a.id])
        await users.get_many([c.id])
        await users.get_many([b.id])
    assert reads == [1]


async def test_shared_versions_without_an_epoch_get_one_and_a_new_epoch_ends_what_is_kept() -> None:
    class Epochs(InProcessVersions):
        """Versions like Redis's: the epoch is set by `latest` when missing (new or emptied)."""

        epoch = 0
        next_epoch = 0

        async def of(self, scopes: Sequence[str]) -> list[int]:
            found = await super().of(scopes)
            return [self.epoch if one == EPOCH else v for one, v in zip(scopes, found, strict=True)]

        async def latest(self) -> int:
            if self.epoch == 0:
                self.epoch = self.next_epoch
            return await super().latest()

    finds = Finds()
    database = a_database(finds)
    versions = Epochs()
    users = Users(database.users, KeptReads(versions, "users"))
    [a] = await logged_in(Store.on(database), 1)
    versions.next_epoch = 7
    with finds.counted() as first:
        for _ in range(3):  # kept with no epoch, then with the one the first read gave
            await users.get_many([a.id])
    versions.epoch, versions.next_epoch = 0, 9  # Redis emptied: no epoch until one is set
    with finds.counted() as after_emptied:
        for _ in range(3):
            await users.get_many([a.id])
    assert (first, after_emptied) == ([2], [2])
