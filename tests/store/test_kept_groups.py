"""A group's counts and a user's membership of it are kept until a write to the group's members
or items; a read that must see a racing writer's write reads from the store (`fresh`), and a
post's seq never comes from a kept one."""

import asyncio
import uuid
from collections.abc import Iterable

from groupql.changes import Changes
from groupql.records import ItemContent, ItemType, Member, MemberStatus, Role
from groupql.store import indexes
from groupql.store.database import connect
from groupql.store.items import Items
from groupql.store.kept_reads import KeptReads
from groupql.store.members import Members
from groupql.store.memory import MemoryMongoClient
from groupql.store.repositories import Store
from groupql.store.watched import Watched
from groupql.versions import InProcessVersions
from tests.store.kept_races import NOW, Aggregates, Finds, a_database, logged_in


async def test_a_groups_counts_are_kept_until_its_members_or_items_change() -> None:
    finds = Aggregates()
    store = Store.on(connect(f"memory://{uuid.uuid4().hex}", "test", event_listeners=[finds]))
    a, b = await logged_in(store, 2)

    await join(store.members, "g1", a.id)
    await post(store.items, "g1", a.id)
    assert await store.members.count_active(["g1", "g2"]) == [1, 0]
    assert await store.items.last_seqs(["g1", "g2"]) == [1, 0]
    with finds.counted() as kept:
        assert await store.members.count_active(["g2", "g1"]) == [0, 1]
        assert await store.items.last_seqs(["g1"]) == [1]
        await join(store.members, "g2", b.id)  # another group's members: g1's count stays kept
        assert await store.members.count_active(["g1"]) == [1]
    assert kept == [0]
    await join(store.members, "g1", b.id)
    await post(store.items, "g1", a.id)
    await post(store.items, "g1", a.id)
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
    [author] = await logged_in(store, 1)
    seqs: list[int] = []

    async def write() -> None:
        seqs.append(await post(store.items, "g", author.id))

    async def read() -> None:
        for _ in range(4):
            await store.items.last_seqs(["g"])

    for wave in range(4):
        await asyncio.gather(*(write() for _ in range(8)), *(read() for _ in range(8)))
        assert sorted(seqs) == list(range(1, 8 * (wave + 1) + 1))
        assert await store.items.last_seqs(["g"]) == [8 * (wave + 1)]


async def test_a_membership_is_kept_until_a_member_of_its_group_changes() -> None:
    finds = Finds()
    store = Store.on(a_database(finds))
    a, b = await logged_in(store, 2)
    for user in (a, b):
        await join(store.members, "g1", user.id)
    first = await store.members.get(group_id="g1", user_id=a.id)
    with finds.counted() as kept:
        assert await store.members.get(group_id="g1", user_id=a.id) == first
    # Another member's read marker moves the group's members: a's membership is read again.
    await store.members.mark_read(group_id="g1", user_id=b.id, seq=5)
    with finds.counted() as after_write:
        assert await store.members.get(group_id="g1", user_id=a.id) == first
    assert await store.members.get(group_id="g1", user_id="nobody") is None
    assert (kept, after_write) == ([0], [1])


class SlowMoves(InProcessVersions):
    """Versions whose moves take a few turns of the event loop, as Redis's do: a write has
    landed in the store while its versions still say what they said before it."""

    async def moved(self, scopes: Iterable[str]) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        await super().moved(scopes)


async def test_a_fresh_read_sees_a_write_whose_versions_are_still_moving() -> None:
    versions = SlowMoves()
    database = MemoryMongoClient(name=uuid.uuid4().hex)["test"]
    members = Members(
        Watched(database["members"], versions),
        kept_counts=KeptReads(versions, "members"),
        kept_members=KeptReads(versions, "members"),
    )
    await join(members, "g", "u")
    await members.get(group_id="g", user_id="u")  # kept
    leaving = asyncio.ensure_future(
        members.change(
            Changes(Member, status=MemberStatus.LEFT),
            group_id="g",
            user_id="u",
            when_status=[MemberStatus.ACTIVE],
        )
    )
    for _ in range(2):  # the change lands; its versions are still on their way
        await asyncio.sleep(0)
    kept = await members.get(group_id="g", user_id="u")
    fresh = await members.get(group_id="g", user_id="u", fresh=True)
    await leaving
    assert kept is not None and kept.status is MemberStatus.ACTIVE  # what a kept read may say
    assert fresh is not None and fresh.status is MemberStatus.LEFT
    after = await members.get(group_id="g", user_id="u")
    assert after is not None and after.status is MemberStatus.LEFT


async def join(members: Members, group_id: str, user_id: str) -> None:
    await members.find_or_create(
        group_id=group_id,
        user_id=user_id,
        role=Role.MEMBER,
        status=MemberStatus.ACTIVE,
        group_openid=None,
        last_read_seq=0,
        now=NOW,
    )


async def post(items: Items, group_id: str, author_id: str) -> int:
    """A text post; its seq."""
    appended = await items.append(
        group_id=group_id,
        type=ItemType.TEXT,
        author_id=author_id,
        content=ItemContent(text="hi"),
        reply_to=None,
        client_id=None,
        now=NOW,
    )
    assert appended is not None
    return appended[0].seq
