"""groupFeed over a real WebSocket: live events, resuming by seq, and access."""

import asyncio

from tests.actors import join, login
from tests.conftest import Clock, LiveServer, serving
from tests.live.feeds import FEED, feed_socket, until_feed_is_live
from tests.ws_client import LEGACY_WS, GraphQLSocket, StalledClient


async def test_a_member_sees_items_posted_after_subscribing(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    socket = await feed_socket(live.ws_url, alice, alice.group_id)
    await until_feed_is_live(alice, socket)
    for text in ["one", "two"]:
        await alice.say(text)
    first, second = (await socket.data())["groupFeed"], (await socket.data())["groupFeed"]
    assert (first["__typename"], first["seq"], first["item"]["text"]) == ("ItemPosted", 1, "one")
    assert (second["seq"], second["item"]["text"]) == (2, "two")
    await socket.close()


async def test_resuming_after_a_seq_replays_what_was_missed_then_goes_live(
    live: LiveServer,
) -> None:
    alice = await join(live.api, "alice")
    for n in range(1, 6):
        await alice.say(f"m{n}")
    socket = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=2)
    replayed = [(await socket.data())["groupFeed"]["seq"] for _ in range(3)]
    assert replayed == [3, 4, 5]
    await alice.say("m6")
    assert (await socket.data())["groupFeed"]["seq"] == 6
    await socket.close()


async def test_the_legacy_graphql_ws_protocol_streams_too(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    await alice.say("hello")
    socket = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=0, protocol=LEGACY_WS)
    assert (await socket.data())["groupFeed"]["item"]["text"] == "hello"
    await socket.close()


async def test_reconnecting_while_a_writer_posts_loses_and_repeats_nothing(
    live: LiveServer,
) -> None:
    alice, bob = await join(live.api, "alice"), await join(live.api, "bob")
    total = 60
    seen: list[int] = []

    async def write() -> None:
        for n in range(total):
            await bob.say(f"m{n}")

    async def read(after_seq: int, count: int) -> None:
        socket = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=after_seq)
        for _ in range(count):
            seen.append((await socket.data())["groupFeed"]["seq"])
        await socket.close()

    writer = asyncio.create_task(write())
    # Three sessions, each cut off after a few events and resumed from the last seq seen.
    await read(0, 15)
    await read(seen[-1], 20)
    await read(seen[-1], total - len(seen))
    await writer
    assert seen == list(range(1, total + 1))


async def test_concurrent_posters_are_delivered_in_seq_order(live: LiveServer) -> None:
    members = [await join(live.api, code) for code in ["a", "b", "c", "d"]]
    socket = await feed_socket(live.ws_url, members[0], members[0].group_id)
    await until_feed_is_live(members[0], socket)
    await asyncio.gather(*(members[n % 4].say(f"m{n}") for n in range(40)))
    seqs = [(await socket.data())["groupFeed"]["seq"] for _ in range(40)]
    assert seqs == list(range(1, 41))
    await socket.close()


async def test_edits_deletes_pins_and_votes_stream_with_their_seq(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    socket = await feed_socket(live.ws_url, alice, alice.group_id)
    await until_feed_is_live(alice, socket)
    item = await alice.say("draft")
    assert (await socket.data())["groupFeed"]["__typename"] == "ItemPosted"
    await alice.edit(item, "final")
    edited = (await socket.data())["groupFeed"]
    assert (edited["__typename"], edited["seq"], edited["item"]["text"]) == (
        "ItemEdited",
        item["seq"],
        "final",
    )
    await alice.pin(item)
    assert (await socket.data())["groupFeed"] == {
        "__typename": "ItemPinned",
        "seq": item["seq"],
        "pinned": True,
    }
    await alice.delete(item)
    deleted = (await socket.data())["groupFeed"]
    assert (deleted["__typename"], deleted["item"]["isDeleted"]) == ("ItemDeleted", True)
    await socket.close()


async def test_members_joining_leaving_and_settings_changes_stream(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    socket = await feed_socket(live.ws_url, alice, alice.group_id)
    await until_feed_is_live(alice, socket)
    bob = await join(live.api, "bob")
    joined = (await socket.data())["groupFeed"]
    assert (joined["__typename"], joined["member"]["status"]) == ("MemberJoined", "ACTIVE")
    assert joined["member"]["user"] == {"id": bob.user_id}
    await alice.set_role(bob, "ADMIN")
    assert (await socket.data())["groupFeed"]["member"] == {
        "role": "ADMIN",
        "user": {"id": bob.user_id},
    }
    await alice.update_group(title="Hikers")
    assert (await socket.data())["groupFeed"] == {
        "__typename": "GroupUpdated",
        "group": {"title": "Hikers"},
    }
    await bob.leave()
    assert (await socket.data())["groupFeed"]["__typename"] == "MemberLeft"
    await socket.close()


async def test_a_removed_members_feed_ends_with_an_error_and_a_leavers_just_ends(
    live: LiveServer,
) -> None:
    alice, bob, carol = [await join(live.api, code) for code in ["alice", "bob", "carol"]]
    bob_socket = await feed_socket(live.ws_url, bob, bob.group_id)
    carol_socket = await feed_socket(live.ws_url, carol, carol.group_id)
    await until_feed_is_live(alice, bob_socket, carol_socket)
    await alice.remove(bob, ban=True)
    assert (await bob_socket.data())["groupFeed"]["__typename"] == "MemberRemoved"
    ending = await bob_socket.receive()
    assert (
        ending["type"] == "next"
        and ending["payload"]["errors"][0]["extensions"]["code"] == "BANNED"
    )
    assert (await bob_socket.receive())["type"] == "complete"
    await carol_socket.data()  # bob's removal
    await carol.leave()
    assert (await carol_socket.data())["groupFeed"]["__typename"] == "MemberLeft"
    assert (await carol_socket.receive())["type"] == "complete"
    await alice.say("after")
    for socket in (bob_socket, carol_socket):
        try:
            extra = await socket.receive(timeout_s=0.3)  # a while for a stray event to come
        except TimeoutError:
            extra = None
        assert extra is None
        await socket.close()


async def test_non_members_and_pending_members_cannot_subscribe(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    mallory = await login(live.api, "mallory")
    socket = await feed_socket(live.ws_url, mallory, alice.group_id)
    refused = await socket.receive()
    assert (
        refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        if refused["type"] == "error"
        else refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    )
    await socket.close()


async def test_a_subscriber_that_falls_behind_is_disconnected_and_can_resume(
    clock: Clock,
) -> None:
    total = 60
    async with serving(
        clock, subscriber_buffer=5, max_text_length=20_000, send_buffer_bytes=4096
    ) as live:
        alice = await join(live.api, "alice")
        stalled = StalledClient(live.ws_url)
        await stalled.connect()
        await stalled.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {alice.token}"}}
        )
        assert (await stalled.next_message())["type"] == "connection_ack"
        variables = {"groupId": alice.group_id, "afterSeq": None}
        await stalled.send(
            {"id": "1", "type": "subscribe", "payload": {"query": FEED, "variables": variables}}
        )
        await until_feed_is_live(alice, stalled)
        # The client reads nothing while large events pile up: once the socket buffers are
        # full the server cannot send, and its buffer of 5 events overflows.
        for n in range(total):
            await alice.say(f"{n}" + "x" * 19_000)
        messages = await stalled.messages()
        stalled.close()
        seqs = [m["payload"]["data"]["groupFeed"]["seq"] for m in messages if m["type"] == "next"]
        assert stalled.close_code == 1013
        assert stalled.close_reason and f"afterSeq: {seqs[-1]}" in stalled.close_reason
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) < total
        resumed = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=seqs[-1])
        rest = [(await resumed.data())["groupFeed"]["seq"] for _ in range(total - len(seqs))]
        assert seqs + rest == list(range(1, total + 1))
        await resumed.close()


async def test_item_events_share_an_interface_a_client_can_select_once(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    await alice.say("hi")
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.init(alice.token)
    await socket.subscribe(
        "subscription($g: ID!) { groupFeed(groupId: $g, afterSeq: 0) "
        "{ ... on ItemEvent { seq item { text } } } }",
        {"g": alice.group_id},
    )
    assert (await socket.data())["groupFeed"] == {"seq": 1, "item": {"text": "hi"}}
    await socket.close()
