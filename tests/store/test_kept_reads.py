"""Users and groups read by id, and a group's counts, are kept while nothing writes them: a read
of kept ones makes no round trip, and never answers what a finished write changed (also when
writes race the reads, in waves of many writers and readers)."""

import asyncio
import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pymongo import monitoring

from groupql.changes import Changes
from groupql.records import GroupSettings, ItemContent, ItemType, MemberStatus, Role, User
from groupql.store import indexes
from groupql.store.collection import Collection, Document, Filter
from groupql.store.database import Database, connect
from groupql.store.kept_reads import MAX_AGE_S, KeptReads
from groupql.store.repositories import Store
from groupql.store.users import Users
from groupql.versions import InProcessVersions, VersionsUnavailable
from groupql.versions.reading import Reading, reading

NOW = datetime(2026, 12, 3, tzinfo=UTC)


class Finds(monitoring.CommandListener):
    """How many find commands the store sent."""

    command = "find"

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += event.command_name == self.command

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    @contextmanager
    def counted(self) -> Iterator[list[int]]:
        before, found = self.count, [0]
        yield found
        found[0] = self.count - before


class Aggregates(Finds):
    """How many aggregate commands the store sent."""

    command = "aggregate"


def _database(finds: Finds) -> Database:
    return connect(f"memory://{uuid.uuid4().hex}", "test", event_listeners=[finds])


async def _users(store: Store, count: int) -> list[User]:
    return [
        await store.users.record_login(
            appid="app", openid=f"o{n}", unionid=None, encrypted_session_key=b"k", now=NOW
        )
        for n in range(count)
    ]


async def test_a_kept_user_is_read_without_a_round_trip_until_a_write_changes_it() -> None:
    finds = Finds()
    store = Store.on(_database(finds))
    a, b = await _users(store, 2)
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
    store = Store.on(_database(finds))
    [a] = await _users(store, 1)
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
    store = Store.on(_database(finds))
    [a] = await _users(store, 1)
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
    database = _database(finds)
    assert database.versions is not None
    users = Users(
        SlowReplies(database.users, random.Random(3)),  # type: ignore[arg-type]
        KeptReads(database.versions, "users"),
    )
    await race_in_waves([users], await _users(Store.on(database), 8))


async def race_in_waves(instances: Sequence[Users], users: Sequence[User]) -> None:
    """Writers read their user back (through any instance) as soon as their write returns,
    while readers of every user, through every instance, keep what they read: a record kept
    with versions read after its read (a write landing between them) would be served stale."""
    rng = random.Random(7)
    last: dict[str, str] = {}

    async def write(user: User, wave: int) -> None:
        for turn in range(3):
            nickname = f"{user.id[-4:]}-{wave}-{turn}"
            await rng.choice(instances).change(user.id, Changes(User, nickname=nickname))
            for _ in range(rng.randint(0, 4)):  # the next read may come a little later
                await asyncio.sleep(0)
            [found] = await rng.choice(instances).get_many([user.id])
            assert found is not None and found.nickname == nickname
            last[user.id] = nickname

    async def read(ids: Sequence[str]) -> None:
        for _ in range(6):
            await rng.choice(instances).get_many(list(ids))

    for wave in range(5):
        writers = [write(user, wave) for user in rng.sample(list(users), 5)]
        readers = [read([one.id for one in rng.sample(list(users), 3)]) for _ in range(16)]
        actors = writers + readers
        rng.shuffle(actors)
        await asyncio.gather(*actors)
        for instance in instances:
            found = await instance.get_many([user.id for user in users])
            assert [one.nickname if one else None for one in found] == [
                last.get(user.id) for user in users
            ]


async def test_lost_versions_and_age_empty_what_is_kept() -> None:
    finds = Finds()
    database = _database(finds)
    seconds = [0.0]
    versions = database.versions
    assert isinstance(versions, InProcessVersions)
    users = Users(database.users, KeptReads(versions, "users", clock=lambda: seconds[0]))
    [a] = await _users(Store.on(database), 1)
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
    database = _database(finds)
    users = Users(database.users, KeptReads(Unavailable(), "users"))
    [a] = await _users(Store.on(database), 1)
    with finds.counted() as reads:
        for _ in range(3):
            assert await users.get_many([a.id]) == [a]
    assert reads == [3]


async def test_the_least_recently_read_are_forgotten_past_the_bound() -> None:
    finds = Finds()
    database = _database(finds)
    assert database.versions is not None
    users = Users(database.users, KeptReads(database.versions, "users", max_kept=2))
    a, b, c = await _users(Store.on(database), 3)
    for one in (a, b, a, c):  # b is the least recently read when c comes
        await users.get_many([one.id])
    with finds.counted() as reads:
        await users.get_many([a.id])
        await users.get_many([c.id])
        await users.get_many([b.id])
    assert reads == [1]


async def test_a_groups_counts_are_kept_until_its_members_or_items_change() -> None:
    finds = Aggregates()
    store = Store.on(connect(f"memory://{uuid.uuid4().hex}", "test", event_listeners=[finds]))
    a, b = await _users(store, 2)

    async def join(group_id: str, user: User) -> None:
        await store.members.find_or_create(
            group_id=group_id,
            user_id=user.id,
            role=Role.MEMBER,
            status=MemberStatus.ACTIVE,
            group_openid=None,
            last_read_seq=0,
            now=NOW,
        )

    async def post(group_id: str) -> None:
        await store.items.append(
            group_id=group_id,
            type=ItemType.TEXT,
            author_id=a.id,
            content=ItemContent(text="hi"),
            reply_to=None,
            client_id=None,
            now=NOW,
        )

    await join("g1", a)
    await post("g1")
    assert await store.members.count_active(["g1", "g2"]) == [1, 0]
    assert await store.items.last_seqs(["g1", "g2"]) == [1, 0]
    with finds.counted() as kept:
        assert await store.members.count_active(["g2", "g1"]) == [0, 1]
        assert await store.items.last_seqs(["g1"]) == [1]
        await join("g2", b)  # another group's members: g1's count stays kept
        assert await store.members.count_active(["g1"]) == [1]
    assert kept == [0]
    await join("g1", b)
    await post("g1")
    await post("g1")
    with finds.counted() as read_again:
        assert await store.members.count_active(["g1", "g2"]) == [2, 1]
        assert await store.items.last_seqs(["g1", "g2"]) == [3, 0]
    assert read_again == [2]


async def test_posts_racing_in_waves_take_every_seq_once_with_last_seqs_kept() -> None:
    """The seq of a post comes from the store itself, never from a kept last seq: posts
    racing each other (and readers keeping the last seq) still take 1, 2, 3... once each."""
    database = connect(f"memory://{uuid.uuid4().hex}", "test")
    await indexes.prepare(database.collections(), is_empty=True)  # the unique (groupId, seq)
    store = Store.on(database)
    [author] = await _users(store, 1)
    seqs: list[int] = []

    async def post() -> None:
        appended = await store.items.append(
            group_id="g",
            type=ItemType.TEXT,
            author_id=author.id,
            content=ItemContent(text="hi"),
            reply_to=None,
            client_id=None,
            now=NOW,
        )
        assert appended is not None
        seqs.append(appended[0].seq)

    async def read() -> None:
        for _ in range(4):
            await store.items.last_seqs(["g"])

    for wave in range(4):
        await asyncio.gather(*(post() for _ in range(8)), *(read() for _ in range(8)))
        assert sorted(seqs) == list(range(1, 8 * (wave + 1) + 1))
        assert await store.items.last_seqs(["g"]) == [8 * (wave + 1)]


async def test_a_membership_is_kept_until_a_member_of_its_group_changes() -> None:
    finds = Finds()
    store = Store.on(_database(finds))
    a, b = await _users(store, 2)
    for user in (a, b):
        await store.members.find_or_create(
            group_id="g1",
            user_id=user.id,
            role=Role.MEMBER,
            status=MemberStatus.ACTIVE,
            group_openid=None,
            last_read_seq=0,
            now=NOW,
        )
    first = await store.members.get(group_id="g1", user_id=a.id)
    with finds.counted() as kept:
        assert await store.members.get(group_id="g1", user_id=a.id) == first
    # Another member's read marker moves the group's members: a's membership is read again.
    await store.members.mark_read(group_id="g1", user_id=b.id, seq=5)
    with finds.counted() as after_write:
        assert await store.members.get(group_id="g1", user_id=a.id) == first
    assert await store.members.get(group_id="g1", user_id="nobody") is None
    assert (kept, after_write) == ([0], [1])
