"""Live feeds while the database is down: the socket closes 1013 ("try again later") with the seq
to resume after, and resuming once it is back replays what was missed, with no gap and no
duplicate. The driver's own exceptions are raised by the in-memory engine (tests/fakes/faults.py).
"""

from collections.abc import AsyncIterator

import pytest

from tests.actors import join, login
from tests.conftest import Clock, LiveServer, serving
from tests.fakes.faults import OUTAGES, ErrorFactory, StoreFaults
from tests.live.feeds import (
    FEED,
    MY_EVENTS,
    feed_socket,
    until_feed_is_live,
    until_my_events_are_live,
)
from tests.ws_client import LEGACY_WS, TRANSPORT_WS, GraphQLSocket

TRY_AGAIN_LATER = 1013
REPLAY_PAGE = 100
"""How many items a resuming feed reads from the store at a time."""


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> StoreFaults:
    return StoreFaults.installed(monkeypatch)


@pytest.fixture
async def live(clock: Clock) -> AsyncIterator[LiveServer]:
    """Always on the in-memory store, even with GROUPQL_TEST_MONGODB_URL: faults live there."""
    async with serving(clock, mongodb_url="memory://") as server:
        yield server


@pytest.mark.parametrize("outage", OUTAGES.values(), ids=OUTAGES.keys())
async def test_a_feed_that_cannot_read_an_event_closes_1013_and_resumes_after_the_last_seq_seen(
    live: LiveServer, faults: StoreFaults, outage: ErrorFactory
) -> None:
    alice = await join(live.api, "alice")
    socket = await feed_socket(live.ws_url, alice, alice.group_id)
    await until_feed_is_live(alice, socket)
    for text in ("one", "two"):
        await alice.say(text)
    assert [(await socket.data())["groupFeed"]["seq"] for _ in range(2)] == [1, 2]

    # The feed reads each new item by id; posting reads no item that way, so the post succeeds.
    faults.fail(outage, command="find", collection="items")
    await alice.say("three")
    code, reason = await socket.closed()
    assert code == TRY_AGAIN_LATER
    assert reason and "afterSeq: 2" in reason
    assert faults.raised >= 1

    faults.clear()
    await alice.say("four")
    resumed = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=2)
    events = [(await resumed.data())["groupFeed"] for _ in range(2)]
    await alice.say("five")
    events.append((await resumed.data())["groupFeed"])
    assert [(event["seq"], event["item"]["text"]) for event in events] == [
        (3, "three"),
        (4, "four"),
        (5, "five"),
    ]
    await resumed.close()


async def test_a_replay_cut_short_by_an_outage_resumes_where_it_stopped(
    live: LiveServer, faults: StoreFaults
) -> None:
    alice = await join(live.api, "alice")
    total = REPLAY_PAGE + 20
    for n in range(1, total + 1):
        await alice.say(f"m{n}")

    # The first page of the replay is read; the second read fails.
    faults.fail(OUTAGES["network timeout"], command="find", collection="items", after=1)
    socket = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=0)
    seen = [(await socket.data())["groupFeed"]["seq"] for _ in range(REPLAY_PAGE)]
    code, reason = await socket.closed()
    assert (code, reason) == (
        TRY_AGAIN_LATER,
        f"Feed interrupted; resubscribe with afterSeq: {REPLAY_PAGE}",
    )

    faults.clear()
    resumed = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=seen[-1])
    seen += [(await resumed.data())["groupFeed"]["seq"] for _ in range(total - REPLAY_PAGE)]
    assert seen == list(range(1, total + 1))
    await resumed.close()


async def test_a_feed_resumed_while_the_store_is_down_says_to_resume_from_the_same_seq(
    live: LiveServer, faults: StoreFaults
) -> None:
    alice = await join(live.api, "alice")
    await alice.say("one")
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.init(alice.token)

    faults.fail(OUTAGES["server selection timeout"])
    await socket.subscribe(FEED, {"groupId": alice.group_id, "afterSeq": 1})
    code, reason = await socket.closed()
    assert code == TRY_AGAIN_LATER
    assert reason and "afterSeq: 1" in reason


async def test_a_feed_that_fails_before_it_starts_does_not_ask_to_replay_everything(
    live: LiveServer, faults: StoreFaults
) -> None:
    alice = await join(live.api, "alice")
    for text in ("one", "two"):
        await alice.say(text)
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.init(alice.token)

    faults.fail(OUTAGES["server selection timeout"])
    await socket.subscribe(FEED, {"groupId": alice.group_id, "afterSeq": None})
    code, reason = await socket.closed()
    assert code == TRY_AGAIN_LATER
    assert reason and "afterSeq: 0" not in reason


async def test_my_events_closes_1013_when_an_event_cannot_be_read(
    live: LiveServer, faults: StoreFaults
) -> None:
    bob = await login(live.api, "bob")
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.init(bob.token)
    await socket.subscribe(MY_EVENTS)
    await until_my_events_are_live(bob, socket)

    # The event's group is read by id; joining reads it otherwise, so the join succeeds.
    faults.fail(OUTAGES["not primary"], command="find", collection="groups")
    await bob.join("G-during")
    code, reason = await socket.closed()
    assert code == TRY_AGAIN_LATER
    assert reason == "Feed interrupted; reconnect"


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
@pytest.mark.parametrize("outage", OUTAGES.values(), ids=OUTAGES.keys())
async def test_connection_init_while_the_store_is_down_closes_1013_not_4401(
    live: LiveServer, faults: StoreFaults, outage: ErrorFactory, protocol: str
) -> None:
    alice = await login(live.api, "alice")
    faults.fail(outage)

    socket = await GraphQLSocket.open(live.ws_url, protocol)
    await socket.send(
        {"type": "connection_init", "payload": {"authorization": f"Bearer {alice.token}"}}
    )
    code, reason = await socket.closed()
    assert code == TRY_AGAIN_LATER
    assert reason and "retry shortly" in reason

    faults.clear()
    socket = await GraphQLSocket.open(live.ws_url, protocol)
    assert (await socket.init(alice.token))["type"] == "connection_ack"
    await socket.close()
