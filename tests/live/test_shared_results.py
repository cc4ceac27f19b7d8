"""Sockets that read a live event alike share one execution of it; no socket ever gets a result
made for another viewer, or for another document or variables."""

import asyncio
import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

from groupql.schema import shared_results
from tests.actors import Member, join, join_in_order
from tests.conftest import LiveServer
from tests.live.feeds import until_feed_is_live
from tests.polls.documents import drinks_poll, option_ids_of
from tests.ws_client import LEGACY_WS, TRANSPORT_WS, GraphQLSocket

# Each document answers the barrier of until_feed_is_live: a newcomer's MemberJoined.
MARKER = "... on MemberJoined { member { user { id } } }"
ITEMS = f"""
subscription($groupId: ID!) {{
  groupFeed(groupId: $groupId) {{
    __typename
    ... on ItemPosted {{ seq item {{ text author {{ id }} }} }}
    {MARKER}
  }}
}}
"""
POLLS = f"""
subscription($groupId: ID!) {{
  groupFeed(groupId: $groupId) {{
    __typename
    ... on ItemPosted {{ seq }}
    ... on PollUpdated {{ seq item {{ poll {{ voterCount viewerOptionIds }} }} }}
    {MARKER}
  }}
}}
"""
REVIEWED = f"""
subscription($groupId: ID!) {{
  groupFeed(groupId: $groupId) {{
    __typename
    ... on ItemPosted {{ seq item {{ text reviewStatus }} }}
    {MARKER}
  }}
}}
"""
QUEUE = f"""
subscription($groupId: ID!) {{
  groupFeed(groupId: $groupId) {{
    __typename
    ... on GroupUpdated {{ group {{ title reviewQueue(first: 1) {{ edges {{ cursor }} }} }} }}
    {MARKER}
  }}
}}
"""
WITH_TEXT_IF = f"""
subscription($groupId: ID!, $withText: Boolean!) {{
  groupFeed(groupId: $groupId) {{
    __typename
    ... on ItemPosted {{ seq item {{ text @include(if: $withText) }} }}
    {MARKER}
  }}
}}
"""
IN_A_FRAGMENT = f"""
subscription($groupId: ID!, $withText: Boolean!) {{
  groupFeed(groupId: $groupId) {{
    __typename
    ... on ItemPosted {{ seq item {{ ...Text }} }}
    {MARKER}
  }}
}}
fragment Text on GroupItem {{ text @include(if: $withText) }}
"""
RESUMING = f"""
subscription($groupId: ID!, $afterSeq: Int) {{
  groupFeed(groupId: $groupId, afterSeq: $afterSeq) {{
    __typename
    ... on ItemPosted {{ seq item {{ text }} }}
    {MARKER}
  }}
}}
"""
SOCKETS_PER_VIEWER = 5


async def feeds(
    live: LiveServer,
    viewers: Sequence[Member],
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    per_viewer: int = 1,
    protocol: str = TRANSPORT_WS,
) -> list[GraphQLSocket]:
    """`per_viewer` sockets of each viewer, subscribed to the group's feed with `query`."""

    async def feed(viewer: Member) -> GraphQLSocket:
        socket = await GraphQLSocket.open(live.ws_url, protocol)
        assert (await socket.init(viewer.token))["type"] == "connection_ack"
        await socket.subscribe(query, {"groupId": viewer.group_id, **(variables or {})})
        return socket

    return list(await asyncio.gather(*(feed(v) for v in viewers for _ in range(per_viewer))))


async def next_events(sockets: Sequence[GraphQLSocket]) -> list[dict[str, Any]]:
    """Each socket's next event, in the order of `sockets`."""
    return [data["groupFeed"] for data in await asyncio.gather(*(s.data() for s in sockets))]


@contextmanager
def executions() -> Iterator[Counter[str]]:
    """The executions of shared events made inside the block, by who shared each result."""
    before = Counter(shared_results.executions)
    made: Counter[str] = Counter()
    try:
        yield made
    finally:
        made.update(shared_results.executions)
        made.subtract(before)
        for sharers in [key for key, count in made.items() if count == 0]:
            del made[sharers]


async def close(sockets: Sequence[GraphQLSocket]) -> None:
    await asyncio.gather(*(socket.close() for socket in sockets))


async def test_sockets_reading_an_event_alike_share_one_execution_of_it(live: LiveServer) -> None:
    members = await join_in_order(live.api, *(f"member-{n}" for n in range(10)))
    owner = members[0]
    sockets = await feeds(live, members, ITEMS, per_viewer=3)
    await until_feed_is_live(owner, *sockets)

    with executions() as made:
        posted = [await owner.say(text) for text in ("one", "two", "three")]
        for item in posted:
            seen = await next_events(sockets)
            expected = {
                "__typename": "ItemPosted",
                "seq": item["seq"],
                "item": {"text": item["text"], "author": {"id": owner.user_id}},
            }
            assert seen == [expected] * len(sockets)
    assert made == {"event": 3, "sent directly": 3 * len(sockets)}
    await close(sockets)


async def test_each_viewer_sees_their_own_vote_among_fifty_sockets(live: LiveServer) -> None:
    voters = await join_in_order(live.api, *(f"voter-{n}" for n in range(10)))
    sockets = await feeds(live, voters, POLLS, per_viewer=SOCKETS_PER_VIEWER)
    await until_feed_is_live(voters[0], *sockets)
    poll = await drinks_poll(voters[0])
    assert {event["seq"] for event in await next_events(sockets)} == {poll["seq"]}
    options = option_ids_of(poll)

    for count, voter in enumerate(voters, start=1):
        with executions() as made:
            await voter.vote(poll, [options[count % len(options)]])
            seen = await next_events(sockets)
        for index, event in enumerate(seen):
            viewer = index // SOCKETS_PER_VIEWER
            chosen = [options[(viewer + 1) % len(options)]] if viewer < count else []
            assert event == {
                "__typename": "PollUpdated",
                "seq": poll["seq"],
                "item": {"poll": {"voterCount": count, "viewerOptionIds": chosen}},
            }, f"socket {index} of voter-{viewer} after {count} votes"
        # One try for all, which read a viewer's vote and was thrown away, then one per viewer.
        assert made == {"event": 1, "viewer": len(voters), "sent directly": len(sockets)}
    await close(sockets)


async def test_an_item_held_for_review_shows_its_text_only_to_its_author_and_the_admins(
    live: LiveServer,
) -> None:
    owner, admin, author, *readers = await join_in_order(
        live.api, "owner", "admin", "author", *(f"reader-{n}" for n in range(7))
    )
    await owner.set_role(admin, "ADMIN")
    viewers = [owner, admin, author, *readers]
    sockets = await feeds(live, viewers, REVIEWED, per_viewer=SOCKETS_PER_VIEWER)
    await until_feed_is_live(owner, *sockets)

    with executions() as made:
        held = await author.say("is this allowed? dev-review")
        seen = await next_events(sockets)
    for index, event in enumerate(seen):
        viewer = viewers[index // SOCKETS_PER_VIEWER]
        may_see = viewer in (owner, admin, author)
        assert event == {
            "__typename": "ItemPosted",
            "seq": held["seq"],
            "item": {
                "text": held["text"] if may_see else None,
                "reviewStatus": "PENDING_REVIEW",
            },
        }, f"socket {index} of {viewer.code}"
    assert made == {"event": 1, "viewer": len(viewers), "sent directly": len(sockets)}

    with executions() as made:
        published = await author.say("all fine")
        seen = await next_events(sockets)
    assert made == {"event": 1, "sent directly": len(sockets)}
    item = {"text": "all fine", "reviewStatus": "PUBLISHED"}
    assert seen == [{"__typename": "ItemPosted", "seq": published["seq"], "item": item}] * len(
        sockets
    )
    await close(sockets)


async def test_a_field_refused_to_some_viewers_fails_for_them_alone(live: LiveServer) -> None:
    owner, *readers = await join_in_order(live.api, "owner", *(f"reader-{n}" for n in range(4)))
    owners = await feeds(live, [owner], QUEUE, per_viewer=SOCKETS_PER_VIEWER)
    readers_ = await feeds(live, readers, QUEUE, per_viewer=SOCKETS_PER_VIEWER)
    await until_feed_is_live(owner, *owners, *readers_)

    with executions() as made:
        await owner.update_group(title="Hikers")
        seen_by_owner = await next_events(owners)
        refusals = await asyncio.gather(*(socket.receive() for socket in readers_))
    queue = {"title": "Hikers", "reviewQueue": {"edges": []}}
    assert seen_by_owner == [{"__typename": "GroupUpdated", "group": queue}] * len(owners)
    for refusal in refusals:
        assert refusal["type"] == "next"
        assert [e["extensions"]["code"] for e in refusal["payload"]["errors"]] == ["FORBIDDEN"]
    # The owner's sockets share one result, sent as is; each reader's share one with errors,
    # which goes through strawberry (error codes, logs) like any other.
    assert made == {"event": 1, "viewer": 1 + len(readers), "sent directly": len(owners)}
    await close([*owners, *readers_])


async def test_sockets_whose_documents_or_variables_differ_never_share(live: LiveServer) -> None:
    members = await join_in_order(live.api, *(f"member-{n}" for n in range(4)))
    owner = members[0]
    with_text = await feeds(live, members, WITH_TEXT_IF, {"withText": True})
    without_text = await feeds(live, members, WITH_TEXT_IF, {"withText": False})
    other_document = await feeds(live, members, REVIEWED)
    await until_feed_is_live(owner, *with_text, *without_text, *other_document)

    with executions() as made:
        item = await owner.say("hello")
        seen_with, seen_without, seen_other = [
            await next_events(sockets) for sockets in (with_text, without_text, other_document)
        ]
    posted = {"__typename": "ItemPosted", "seq": item["seq"]}
    assert seen_with == [{**posted, "item": {"text": "hello"}}] * len(members)
    assert seen_without == [{**posted, "item": {}}] * len(members)
    reviewed = {"text": "hello", "reviewStatus": "PUBLISHED"}
    assert seen_other == [{**posted, "item": reviewed}] * len(members)
    assert made == {"event": 3, "sent directly": 3 * len(members)}
    await close([*with_text, *without_text, *other_document])


async def test_a_variable_read_in_a_fragment_keeps_sockets_apart(live: LiveServer) -> None:
    members = await join_in_order(live.api, *(f"member-{n}" for n in range(3)))
    with_text = await feeds(live, members, IN_A_FRAGMENT, {"withText": True})
    without_text = await feeds(live, members, IN_A_FRAGMENT, {"withText": False})
    await until_feed_is_live(members[0], *with_text, *without_text)

    with executions() as made:
        item = await members[0].say("hello")
        seen_with, seen_without = [await next_events(s) for s in (with_text, without_text)]
    posted = {"__typename": "ItemPosted", "seq": item["seq"]}
    assert seen_with == [{**posted, "item": {"text": "hello"}}] * len(members)
    assert seen_without == [{**posted, "item": {}}] * len(members)
    assert made == {"event": 2, "sent directly": 2 * len(members)}
    await close([*with_text, *without_text])


async def test_resuming_from_different_seqs_replays_each_its_own_then_shares_what_is_live(
    live: LiveServer,
) -> None:
    owner, reader = await join_in_order(live.api, "owner", "reader")
    for text in ("one", "two", "three"):
        await owner.say(text)
    sockets = [
        (await feeds(live, [reader], RESUMING, {"afterSeq": after_seq}))[0]
        for after_seq in (0, 1, 2)
    ]
    replayed = [
        [(await s.data())["groupFeed"]["seq"] for _ in range(3 - n)] for n, s in enumerate(sockets)
    ]
    assert replayed == [[1, 2, 3], [2, 3], [3]]
    await until_feed_is_live(owner, *sockets)

    with executions() as made:
        item = await owner.say("four")
        seen = await next_events(sockets)
    assert made == {"event": 1, "sent directly": 3}
    assert seen == [{"__typename": "ItemPosted", "seq": item["seq"], "item": {"text": "four"}}] * 3
    await close(sockets)


async def test_a_legacy_graphql_ws_socket_shares_the_result_in_its_own_framing(
    live: LiveServer,
) -> None:
    alice = await join(live.api, "alice")
    [current] = await feeds(live, [alice], ITEMS)
    [legacy] = await feeds(live, [alice], ITEMS, protocol=LEGACY_WS)
    await until_feed_is_live(alice, current, legacy)

    with executions() as made:
        item = await alice.say("hi")
        messages = [await current.receive(), await legacy.receive()]
    assert made == {"event": 1, "sent directly": 2}
    assert [(m["id"], m["type"]) for m in messages] == [("1", "next"), ("1", "data")]
    assert (
        messages[0]["payload"]
        == messages[1]["payload"]
        == {
            "data": {
                "groupFeed": {
                    "__typename": "ItemPosted",
                    "seq": item["seq"],
                    "item": {"text": "hi", "author": {"id": alice.user_id}},
                }
            }
        }
    )
    await close([current, legacy])


async def test_sockets_that_drop_mid_feed_leave_the_others_theirs(
    live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    members = await join_in_order(live.api, *(f"member-{n}" for n in range(6)))
    sockets = await feeds(live, members, ITEMS, per_viewer=2)
    await until_feed_is_live(members[0], *sockets)
    dropped, kept = sockets[::2], sockets[1::2]
    for socket in dropped:
        socket.connection.transport.abort()

    with caplog.at_level(logging.WARNING):
        posted = [await members[0].say(text) for text in ("one", "two", "three")]
        for item in posted:
            assert {event["seq"] for event in await next_events(kept)} == {item["seq"]}
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
    await close(kept)
