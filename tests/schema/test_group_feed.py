"""groupFeed over a real WebSocket: live events, resuming by seq, and access."""

import asyncio

from tests.conftest import Clock, LiveServer, serving
from tests.ws_client import LEGACY_WS, TRANSPORT_WS, GraphQLSocket, StalledClient

FEED = """
subscription($groupId: ID!, $afterSeq: Int) {
  groupFeed(groupId: $groupId, afterSeq: $afterSeq) {
    __typename
    ... on ItemPosted { seq item { text author { id } } }
    ... on ItemEdited { seq item { text } }
    ... on ItemDeleted { seq item { isDeleted } }
    ... on ItemPinned { seq pinned }
    ... on PollUpdated { seq item { poll { voterCount } } }
    ... on MemberJoined { member { status user { id } } }
    ... on MemberLeft { member { user { id } } }
    ... on MemberRemoved { member { status user { id } } }
    ... on MemberRoleChanged { member { role user { id } } }
    ... on GroupUpdated { group { title } }
  }
}
"""
POST = "mutation($g: ID!, $t: String) { postItem(input: {groupId: $g, text: $t}) { seq } }"


async def _member(live: LiveServer, code: str, gid: str = "G1") -> tuple[str, str]:
    joined = await live.api.join(code, gid)
    return await live.api.login_as(code), joined["group"]["id"]


async def _subscribe(
    live: LiveServer,
    token: str,
    group_id: str,
    after_seq: int | None = None,
    protocol: str = TRANSPORT_WS,
    receive_buffer_bytes: int | None = None,
) -> GraphQLSocket:
    socket = await GraphQLSocket.open(live.ws_url, protocol, receive_buffer_bytes)
    ack = await socket.init(token)
    assert ack["type"] == "connection_ack", ack
    await socket.subscribe(FEED, {"groupId": group_id, "afterSeq": after_seq})
    return socket


async def test_a_member_sees_items_posted_after_subscribing(live: LiveServer) -> None:
    alice, group_id = await _member(live, "alice")
    socket = await _subscribe(live, alice, group_id)
    await asyncio.sleep(0.1)
    for text in ["one", "two"]:
        await live.api.data(POST, {"g": group_id, "t": text}, token=alice)
    first, second = (await socket.data())["groupFeed"], (await socket.data())["groupFeed"]
    assert (first["__typename"], first["seq"], first["item"]["text"]) == ("ItemPosted", 1, "one")
    assert (second["seq"], second["item"]["text"]) == (2, "two")
    await socket.close()


async def test_resuming_after_a_seq_replays_what_was_missed_then_goes_live(
    live: LiveServer,
) -> None:
    alice, group_id = await _member(live, "alice")
    for n in range(1, 6):
        await live.api.data(POST, {"g": group_id, "t": f"m{n}"}, token=alice)
    socket = await _subscribe(live, alice, group_id, after_seq=2)
    replayed = [(await socket.data())["groupFeed"]["seq"] for _ in range(3)]
    assert replayed == [3, 4, 5]
    await live.api.data(POST, {"g": group_id, "t": "m6"}, token=alice)
    assert (await socket.data())["groupFeed"]["seq"] == 6
    await socket.close()


async def test_the_legacy_graphql_ws_protocol_streams_too(live: LiveServer) -> None:
    alice, group_id = await _member(live, "alice")
    await live.api.data(POST, {"g": group_id, "t": "hello"}, token=alice)
    socket = await _subscribe(live, alice, group_id, after_seq=0, protocol=LEGACY_WS)
    assert (await socket.data())["groupFeed"]["item"]["text"] == "hello"
    await socket.close()


async def test_a_bad_token_closes_the_socket_with_4401(live: LiveServer) -> None:
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.send({"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
    code, reason = await socket.closed()
    assert code == 4401
    assert reason


async def test_reconnecting_while_a_writer_posts_loses_and_repeats_nothing(
    live: LiveServer,
) -> None:
    alice, group_id = await _member(live, "alice")
    bob, _ = await _member(live, "bob")
    total = 60
    seen: list[int] = []

    async def write() -> None:
        for n in range(total):
            await live.api.data(POST, {"g": group_id, "t": f"m{n}"}, token=bob)

    async def read(after_seq: int, count: int) -> None:
        socket = await _subscribe(live, alice, group_id, after_seq=after_seq)
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
    tokens, group_id = [], ""
    for code in ["a", "b", "c", "d"]:
        token, group_id = await _member(live, code)
        tokens.append(token)
    socket = await _subscribe(live, tokens[0], group_id)
    await asyncio.sleep(0.1)
    await asyncio.gather(
        *(
            live.api.data(POST, {"g": group_id, "t": f"m{n}"}, token=tokens[n % 4])
            for n in range(40)
        )
    )
    seqs = [(await socket.data())["groupFeed"]["seq"] for _ in range(40)]
    assert seqs == list(range(1, 41))
    await socket.close()


async def test_edits_deletes_pins_and_votes_stream_with_their_seq(live: LiveServer) -> None:
    alice, group_id = await _member(live, "alice")
    socket = await _subscribe(live, alice, group_id)
    await asyncio.sleep(0.1)
    item = (await live.api.data(POST, {"g": group_id, "t": "draft"}, token=alice))["postItem"]
    assert (await socket.data())["groupFeed"]["__typename"] == "ItemPosted"
    [item_id] = [
        edge["node"]["id"]
        for edge in (
            await live.api.data(
                "query($id: ID!) { group(id: $id) { items { edges { node { id } } } } }",
                {"id": group_id},
                token=alice,
            )
        )["group"]["items"]["edges"]
    ]
    await live.api.data(
        'mutation($i: ID!) { editItem(itemId: $i, text: "final") { seq } }',
        {"i": item_id},
        token=alice,
    )
    edited = (await socket.data())["groupFeed"]
    assert (edited["__typename"], edited["seq"], edited["item"]["text"]) == (
        "ItemEdited",
        item["seq"],
        "final",
    )
    await live.api.data(
        "mutation($i: ID!) { pinItem(itemId: $i) { id } }", {"i": item_id}, token=alice
    )
    assert (await socket.data())["groupFeed"] == {
        "__typename": "ItemPinned",
        "seq": item["seq"],
        "pinned": True,
    }
    await live.api.data(
        "mutation($i: ID!) { deleteItem(itemId: $i) { id } }", {"i": item_id}, token=alice
    )
    deleted = (await socket.data())["groupFeed"]
    assert (deleted["__typename"], deleted["item"]["isDeleted"]) == ("ItemDeleted", True)
    await socket.close()


async def test_members_joining_leaving_and_settings_changes_stream(live: LiveServer) -> None:
    alice, group_id = await _member(live, "alice")
    socket = await _subscribe(live, alice, group_id)
    await asyncio.sleep(0.1)
    bob, _ = await _member(live, "bob")
    joined = (await socket.data())["groupFeed"]
    assert (joined["__typename"], joined["member"]["status"]) == ("MemberJoined", "ACTIVE")
    bob_id = joined["member"]["user"]["id"]
    await live.api.data(
        "mutation($g: ID!, $u: ID!) { setMemberRole(groupId: $g, userId: $u, role: ADMIN) { id } }",
        {"g": group_id, "u": bob_id},
        token=alice,
    )
    assert (await socket.data())["groupFeed"]["member"] == {"role": "ADMIN", "user": {"id": bob_id}}
    await live.api.data(
        'mutation($g: ID!) { updateGroup(input: {groupId: $g, title: "Hikers"}) { id } }',
        {"g": group_id},
        token=alice,
    )
    assert (await socket.data())["groupFeed"] == {
        "__typename": "GroupUpdated",
        "group": {"title": "Hikers"},
    }
    await live.api.data(
        "mutation($g: ID!) { leaveGroup(groupId: $g) { id } }", {"g": group_id}, token=bob
    )
    assert (await socket.data())["groupFeed"]["__typename"] == "MemberLeft"
    await socket.close()


async def test_a_removed_members_feed_ends_with_an_error_and_a_leavers_just_ends(
    live: LiveServer,
) -> None:
    alice, group_id = await _member(live, "alice")
    bob, _ = await _member(live, "bob")
    carol, _ = await _member(live, "carol")
    bob_socket = await _subscribe(live, bob, group_id)
    carol_socket = await _subscribe(live, carol, group_id)
    await asyncio.sleep(0.1)
    bob_id = (await live.api.data("{ viewer { id } }", token=bob))["viewer"]["id"]
    await live.api.data(
        "mutation($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u, ban: true) { id } }",
        {"g": group_id, "u": bob_id},
        token=alice,
    )
    assert (await bob_socket.data())["groupFeed"]["__typename"] == "MemberRemoved"
    ending = await bob_socket.receive()
    assert (
        ending["type"] == "next"
        and ending["payload"]["errors"][0]["extensions"]["code"] == "BANNED"
    )
    assert (await bob_socket.receive())["type"] == "complete"
    await carol_socket.data()  # bob's removal
    await live.api.data(
        "mutation($g: ID!) { leaveGroup(groupId: $g) { id } }", {"g": group_id}, token=carol
    )
    assert (await carol_socket.data())["groupFeed"]["__typename"] == "MemberLeft"
    assert (await carol_socket.receive())["type"] == "complete"
    await live.api.data(POST, {"g": group_id, "t": "after"}, token=alice)
    for socket in (bob_socket, carol_socket):
        try:
            extra = await socket.receive(timeout_s=0.3)
        except TimeoutError:
            extra = None
        assert extra is None
        await socket.close()


async def test_non_members_and_pending_members_cannot_subscribe(live: LiveServer) -> None:
    _, group_id = await _member(live, "alice")
    mallory = await live.api.login_as("mallory")
    socket = await _subscribe(live, mallory, group_id)
    refused = await socket.receive()
    assert (
        refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        if refused["type"] == "error"
        else refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    )
    await socket.close()


async def test_a_socket_that_never_initialises_is_closed(clock: Clock) -> None:
    async with serving(clock, ws_init_timeout_s=0.3) as live:
        socket = await GraphQLSocket.open(live.ws_url)
        code, _ = await socket.closed(timeout_s=3)
        assert code == 4408


async def test_the_server_pings_an_idle_socket(clock: Clock) -> None:
    async with serving(clock, ws_ping_interval_s=0.2) as live:
        alice = await live.api.login_as("alice")
        socket = await GraphQLSocket.open(live.ws_url)
        await socket.init(alice)
        assert (await socket.receive(timeout_s=2, skip_pings=False))["type"] == "ping"
        await socket.close()


async def test_a_subscriber_that_falls_behind_is_disconnected_and_can_resume(
    clock: Clock,
) -> None:
    total = 60
    async with serving(
        clock, subscriber_buffer=5, max_text_length=20_000, send_buffer_bytes=4096
    ) as live:
        alice, group_id = await _member(live, "alice")
        stalled = StalledClient(live.ws_url)
        await stalled.connect()
        await stalled.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {alice}"}}
        )
        assert (await stalled.next_message())["type"] == "connection_ack"
        variables = {"groupId": group_id, "afterSeq": None}
        await stalled.send(
            {"id": "1", "type": "subscribe", "payload": {"query": FEED, "variables": variables}}
        )
        await asyncio.sleep(0.1)
        # The client reads nothing while large events pile up: once the socket buffers are
        # full the server cannot send, and its buffer of 5 events overflows.
        for n in range(total):
            await live.api.data(POST, {"g": group_id, "t": f"{n}" + "x" * 19_000}, token=alice)
        messages = await stalled.messages()
        stalled.close()
        seqs = [m["payload"]["data"]["groupFeed"]["seq"] for m in messages if m["type"] == "next"]
        assert stalled.close_code == 1013
        assert stalled.close_reason and f"afterSeq: {seqs[-1]}" in stalled.close_reason
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) < total
        resumed = await _subscribe(live, alice, group_id, after_seq=seqs[-1])
        rest = [(await resumed.data())["groupFeed"]["seq"] for _ in range(total - len(seqs))]
        assert seqs + rest == list(range(1, total + 1))
        await resumed.close()


async def test_graphiql_style_headers_in_connection_init_authenticate(live: LiveServer) -> None:
    # GraphiQL sends its Headers editor as the connection_init payload.
    alice = await live.api.login_as("alice")
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {alice}"}})
    assert (await socket.receive())["type"] == "connection_ack"
    await socket.close()


async def test_a_missing_token_closes_the_socket_with_4401(live: LiveServer) -> None:
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.send({"type": "connection_init", "payload": {}})
    code, _ = await socket.closed()
    assert code == 4401


async def test_item_events_share_an_interface_a_client_can_select_once(live: LiveServer) -> None:
    alice, group_id = await _member(live, "alice")
    await live.api.data(POST, {"g": group_id, "t": "hi"}, token=alice)
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.init(alice)
    await socket.subscribe(
        "subscription($g: ID!) { groupFeed(groupId: $g, afterSeq: 0) "
        "{ ... on ItemEvent { seq item { text } } } }",
        {"g": group_id},
    )
    assert (await socket.data())["groupFeed"] == {"seq": 1, "item": {"text": "hi"}}
    await socket.close()
