"""Independent clients of the protocols (Python gql, Node graphql-ws) follow live feeds."""

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.websockets import WebsocketsTransport
from websockets import ConnectionClosed

from tests.actors import Member, join, login
from tests.conftest import LiveServer
from tests.live.feeds import FEED, until_feed_is_live
from tests.node_tools import NODE, interop_packages

TRANSPORT_WS = WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL
LEGACY_WS = WebsocketsTransport.APOLLO_SUBPROTOCOL
PROTOCOLS = [
    pytest.param(TRANSPORT_WS, id="graphql-transport-ws"),
    pytest.param(LEGACY_WS, id="graphql-ws"),
]
GROUP_ITEMS = "query($id: ID!) { group(id: $id) { lastSeq items { edges { node { text } } } } }"
POST = "mutation($g: ID!, $t: String) { postItem(input: {groupId: $g, text: $t}) { seq } }"


async def _post(author: Member, *texts: str) -> None:
    for text in texts:
        await author.say(text)


@asynccontextmanager
async def gql_session(
    live: LiveServer, token: str, subprotocol: str
) -> AsyncIterator[AsyncClientSession]:
    transport = WebsocketsTransport(
        url=live.ws_url,
        init_payload={"authorization": f"Bearer {token}"},
        subprotocols=[subprotocol],
        connect_timeout=5,
        ack_timeout=5,
        close_timeout=5,
    )
    async with Client(transport=transport) as session:
        assert transport.subprotocol == subprotocol
        yield session


async def _take(session: AsyncClientSession, variables: dict[str, Any], count: int) -> list[Any]:
    """The first `count` events of a groupFeed subscription, which then stops."""
    feed = session.subscribe(GraphQLRequest(FEED, variable_values=variables))
    events = []
    async for result in feed:
        events.append(result["groupFeed"])
        if len(events) == count:
            break
    await feed.aclose()
    return events


class _Feed:
    """A gql client's groupFeed, read through a queue: a read may time out and the feed goes on
    (cancelling the subscription's own iterator would end it)."""

    def __init__(self, session: AsyncClientSession, variables: dict[str, Any]) -> None:
        self._results: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        feed = session.subscribe(GraphQLRequest(FEED, variable_values=variables))
        self._reading = asyncio.create_task(self._read(feed))

    async def data(self, timeout_s: float = 5.0) -> dict[str, Any]:
        return await asyncio.wait_for(self._results.get(), timeout_s)

    async def close(self) -> None:
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reading

    async def _read(self, feed: AsyncIterator[dict[str, Any]]) -> None:
        async for result in feed:
            await self._results.put(result)


def _posted(events: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return [(event["__typename"], event["seq"], event["item"]["text"]) for event in events]


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
async def test_a_gql_client_sees_items_posted_while_it_listens(
    live: LiveServer, subprotocol: str
) -> None:
    alice = await join(live.api, "alice")
    async with gql_session(live, alice.token, subprotocol) as session:
        feed = _Feed(session, {"groupId": alice.group_id})
        await until_feed_is_live(alice, feed)
        await _post(alice, "one", "two", "three")
        events = [(await feed.data())["groupFeed"] for _ in range(3)]
        await feed.close()
    assert _posted(events) == [
        ("ItemPosted", 1, "one"),
        ("ItemPosted", 2, "two"),
        ("ItemPosted", 3, "three"),
    ]


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
async def test_a_gql_client_resuming_after_a_seq_gets_what_it_missed_then_goes_live(
    live: LiveServer, subprotocol: str
) -> None:
    alice = await join(live.api, "alice")
    await _post(alice, "m1", "m2", "m3", "m4", "m5")
    async with gql_session(live, alice.token, subprotocol) as session:
        feed = session.subscribe(
            GraphQLRequest(FEED, variable_values={"groupId": alice.group_id, "afterSeq": 2})
        )
        replayed = [(await asyncio.wait_for(anext(feed), 5))["groupFeed"] for _ in range(3)]
        # The replay has reached the live feed, so an item posted now arrives next.
        await _post(alice, "m6")
        live_event = (await asyncio.wait_for(anext(feed), 5))["groupFeed"]
        await feed.aclose()
    assert _posted([*replayed, live_event]) == [
        ("ItemPosted", 3, "m3"),
        ("ItemPosted", 4, "m4"),
        ("ItemPosted", 5, "m5"),
        ("ItemPosted", 6, "m6"),
    ]


async def test_a_gql_client_queries_and_posts_over_graphql_transport_ws(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    async with gql_session(live, alice.token, TRANSPORT_WS) as session:
        posted = await session.execute(
            GraphQLRequest(POST, variable_values={"g": alice.group_id, "t": "over the socket"})
        )
        group = await session.execute(
            GraphQLRequest(GROUP_ITEMS, variable_values={"id": alice.group_id})
        )
    assert posted == {"postItem": {"seq": 1}}
    assert group["group"] == {
        "lastSeq": 1,
        "items": {"edges": [{"node": {"text": "over the socket"}}]},
    }


async def test_a_legacy_gql_client_that_sends_a_query_is_told_it_is_the_wrong_transport(
    live: LiveServer,
) -> None:
    alice = await join(live.api, "alice")
    async with gql_session(live, alice.token, LEGACY_WS) as session:
        with pytest.raises(TransportQueryError) as refused:
            await session.execute(
                GraphQLRequest(GROUP_ITEMS, variable_values={"id": alice.group_id})
            )
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_gql_client_with_a_stale_token_sees_the_socket_close_with_4401(
    live: LiveServer,
) -> None:
    with pytest.raises(TransportConnectionFailed) as refused:
        async with gql_session(live, "stale", TRANSPORT_WS):
            pass
    closed = refused.value.__cause__
    assert isinstance(closed, ConnectionClosed) and closed.rcvd is not None
    assert closed.rcvd.code == 4401
    assert "log in again" in closed.rcvd.reason


async def test_a_legacy_gql_client_with_a_stale_token_gets_a_connection_error(
    live: LiveServer,
) -> None:
    with pytest.raises(TransportServerError, match="log in again"):
        async with gql_session(live, "stale", LEGACY_WS):
            pass


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
async def test_a_gql_client_outside_the_group_is_told_forbidden(
    live: LiveServer, subprotocol: str
) -> None:
    alice = await join(live.api, "alice")
    mallory = await login(live.api, "mallory")
    async with gql_session(live, mallory.token, subprotocol) as session:
        with pytest.raises(TransportQueryError) as refused:
            await _take(session, {"groupId": alice.group_id}, 1)
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["code"] == "FORBIDDEN"


@pytest.fixture(scope="session")
def node_client() -> Path:
    """The graphql-ws client script, its packages installed (once, outside any event loop)."""
    return interop_packages() / "subscribe.mjs"


async def _json_lines(process: asyncio.subprocess.Process, count: int) -> list[Any]:
    assert process.stdout is not None
    lines = [await asyncio.wait_for(process.stdout.readline(), 10) for _ in range(count)]
    assert all(lines), "the node client stopped early"
    return [json.loads(line) for line in lines]


async def test_the_node_graphql_ws_client_replays_then_follows_a_feed(
    node_client: Path, live: LiveServer
) -> None:
    alice = await join(live.api, "alice")
    await _post(alice, "m1", "m2")
    process = await asyncio.create_subprocess_exec(
        NODE,
        str(node_client),
        live.ws_url,
        alice.group_id,
        "4",
        "0",
        env={**os.environ, "GROUPQL_TOKEN": alice.token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        replayed = await _json_lines(process, 2)
        # Both replayed items arrived, so the feed is live: these two come as they are posted.
        await _post(alice, "m3", "m4")
        followed = await _json_lines(process, 2)
        await asyncio.wait_for(process.wait(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        assert process.stderr is not None
        sys.stderr.write((await process.stderr.read()).decode())  # shown if the test fails
    assert process.returncode == 0
    assert _posted([*replayed, *followed]) == [
        ("ItemPosted", 1, "m1"),
        ("ItemPosted", 2, "m2"),
        ("ItemPosted", 3, "m3"),
        ("ItemPosted", 4, "m4"),
    ]
