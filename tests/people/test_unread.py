"""Read markers and unread counts: exact under concurrent posting and reading, never moving back."""

import asyncio
import random
from typing import Any

from tests.actors import Member, join, join_in_order
from tests.conftest import Api
from tests.items.documents import POST
from tests.people.documents import MARK_READ, POST_MENTIONING, TOTALS, UNREAD


async def unread(member: Member) -> dict[str, Any]:
    group: dict[str, Any] = (await member.data(UNREAD, id=member.group_id))["group"]
    return group["viewerUnread"]


async def mark_read(member: Member, seq: int) -> dict[str, Any]:
    marked: dict[str, Any] = (await member.data(MARK_READ, groupId=member.group_id, seq=seq))[
        "markRead"
    ]
    return marked


async def test_what_others_post_is_unread_until_marked_read(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    for n in range(5):
        await alice.say(f"news {n}")

    assert await unread(bob) == {"count": 5, "mentionCount": 0, "firstUnreadSeq": 1}
    assert await unread(alice) == {"count": 0, "mentionCount": 0, "firstUnreadSeq": None}
    assert await mark_read(bob, 3) == {"count": 2, "mentionCount": 0, "firstUnreadSeq": 4}
    assert await mark_read(bob, 1) == {"count": 2, "mentionCount": 0, "firstUnreadSeq": 4}
    assert await mark_read(bob, 10**9) == {"count": 0, "mentionCount": 0, "firstUnreadSeq": None}
    await alice.say("one more")
    assert await unread(bob) == {"count": 1, "mentionCount": 0, "firstUnreadSeq": 6}


async def test_history_before_joining_is_not_unread(api: Api) -> None:
    alice = await join(api, "alice")
    for n in range(3):
        await alice.say(f"old {n}")
    bob = await join(api, "bob")
    assert await unread(bob) == {"count": 0, "mentionCount": 0, "firstUnreadSeq": None}
    await alice.say("new")
    assert (await unread(bob))["count"] == 1


async def test_posting_marks_the_group_read_up_to_ones_own_item(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await alice.say("1")
    await alice.say("2")
    await bob.say("I read those")
    assert (await unread(bob))["count"] == 0
    await alice.say("3")
    assert (await unread(bob))["count"] == 1


async def test_mentions_after_the_marker_are_counted_and_deleted_ones_are_not(api: Api) -> None:
    owner, bob, carol = await join_in_order(api, "owner", "bob", "carol")

    async def post(by: Member, **item: Any) -> dict[str, Any]:
        posted = await by.data(POST_MENTIONING, input={"groupId": by.group_id, "text": "x", **item})
        return posted["postItem"]  # type: ignore[no-any-return]

    await post(owner, mentions=[bob.user_id])
    to_delete = await post(owner, mentions=[bob.user_id, carol.user_id])
    await post(owner, mentionAll=True)
    await post(carol)
    assert await unread(bob) == {"count": 4, "mentionCount": 3, "firstUnreadSeq": 1}
    assert (await unread(carol))["mentionCount"] == 0  # carol posted: read up to seq 4
    await owner.delete(to_delete)
    assert await unread(bob) == {"count": 4, "mentionCount": 2, "firstUnreadSeq": 1}
    assert (await mark_read(bob, 1))["mentionCount"] == 1
    assert (await mark_read(bob, 3))["mentionCount"] == 0
    assert (await unread(owner))["mentionCount"] == 0  # one's own @all is not a mention


async def test_totals_add_up_the_viewers_groups(api: Api) -> None:
    alice = await join(api, "alice", "G1")
    bob = await join(api, "bob", "G1")
    alice2 = await alice.join("G2")
    bob2 = await bob.join("G2")
    await join(api, "carol", "G3")
    await alice.say("in G1")
    await alice.data(
        POST_MENTIONING,
        input={"groupId": alice2.group_id, "text": "@bob", "mentions": [bob.user_id]},
    )
    await alice2.say("more in G2")

    totals = (await bob.data(TOTALS))["viewer"]["unread"]
    assert totals == {"count": 3, "mentionCount": 1, "groupCount": 2}
    await mark_read(bob2, 100)
    totals = (await bob.data(TOTALS))["viewer"]["unread"]
    assert totals == {"count": 1, "mentionCount": 0, "groupCount": 1}


async def test_a_marker_cannot_be_negative_or_set_outside_ones_groups(api: Api) -> None:
    alice = await join(api, "alice")
    stranger = await join(api, "stranger", "G9")
    assert await alice.error_code(MARK_READ, groupId=alice.group_id, seq=-1) == "BAD_USER_INPUT"
    code = await stranger.error_code(MARK_READ, groupId=alice.group_id, seq=1)
    assert code == "FORBIDDEN"


async def posted_surely(poster: Member, text: str) -> dict[str, Any]:
    """Post as a client does: on CONFLICT (the group too busy, on a slow machine), again with
    the same clientId, which never posts twice."""
    client_id = f"{poster.code}-{text}".replace(" ", "-")
    for _ in range(5):
        body = await poster.send(
            POST, input={"groupId": poster.group_id, "text": text, "clientId": client_id}
        )
        if not body.get("errors"):
            posted: dict[str, Any] = body["data"]["postItem"]
            return posted
        assert body["errors"][0]["extensions"]["code"] == "CONFLICT", body["errors"]
    raise AssertionError(f"{poster.code} could not post")


async def test_counts_are_exact_under_fifty_concurrent_posters_and_racing_marks(api: Api) -> None:
    reader = await join(api, "reader")
    posters = [await join(api, f"poster{n}") for n in range(50)]
    rng = random.Random(11)
    marks: list[int] = [0]

    async def mark_somewhere(upto: int) -> None:
        # Seqs that exist already: the marker after the wave is exactly the highest one marked.
        seq = rng.randint(0, upto)
        marks.append(seq)
        await reader.data(MARK_READ, groupId=reader.group_id, seq=seq)

    for wave in range(3):
        existing = 50 * wave
        # Fifty members post at once while the reader marks from ten devices.
        posted = await asyncio.gather(
            *[posted_surely(poster, f"wave {wave} from {poster.code}") for poster in posters],
            *[mark_somewhere(existing) for _ in range(10)],
        )
        group = (await reader.data(UNREAD, id=reader.group_id))["group"]
        assert group["lastSeq"] == 50 * (wave + 1)
        assert group["viewerUnread"]["count"] == group["lastSeq"] - max(marks)
        counts = await asyncio.gather(*[unread(poster) for poster in posters])
        # Each poster has read up to their own item: exactly the items after it are unread.
        for item, count in zip(posted, counts, strict=False):
            assert count["count"] == group["lastSeq"] - item["seq"]
    await mark_read(reader, 10**6)
    assert await unread(reader) == {"count": 0, "mentionCount": 0, "firstUnreadSeq": None}
