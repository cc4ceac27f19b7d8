"""Many graphql-transport-ws subscribers of one group feed, noting when each event reaches each."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from time import perf_counter

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

# What a feed screen asks for: the new item as it is drawn, with its author.
FEED = """
subscription($groupId: ID!, $afterSeq: Int) {
  groupFeed(groupId: $groupId, afterSeq: $afterSeq) {
    __typename
    ... on ItemPosted { seq item { id seq type text createdAt author { id } } }
  }
}
"""
# The same item without its author: no store read per subscriber and event.
FEED_WITHOUT_AUTHOR = FEED.replace(" author { id }", "")
# The item and whether it mentions the viewer: a field each viewer reads differently, so every
# subscriber's result is its own (groupql.schema.shared_results), as before sharing.
FEED_PER_VIEWER = FEED_WITHOUT_AUTHOR.replace("createdAt", "createdAt mentionsViewer")
TRANSPORT_WS = Subprotocol("graphql-transport-ws")
OPENING_AT_ONCE = 50


@dataclass
class Delivery:
    """When one event (by seq) reached its first and its latest subscriber, and how many so far."""

    first_at: float = 0.0
    last_at: float = 0.0
    count: int = 0
    everywhere: asyncio.Event = field(default_factory=asyncio.Event)


class FeedSubscribers:
    """N open sockets, each subscribed to the group feed and read by its own task."""

    def __init__(self, connections: list[ClientConnection]) -> None:
        self._connections = connections
        self._deliveries: dict[int, Delivery] = {}
        self._readers = [
            asyncio.create_task(self._read(index, connection))
            for index, connection in enumerate(connections)
        ]

    def __len__(self) -> int:
        return len(self._connections)

    async def delivered(self, seq: int, timeout_s: float) -> Delivery:
        """The delivery of `seq` once every subscriber has it."""
        delivery = self._delivery(seq)
        try:
            await asyncio.wait_for(delivery.everywhere.wait(), timeout_s)
        except TimeoutError:
            self._raise_if_broken()
            raise TimeoutError(
                f"seq {seq} reached {delivery.count} of {len(self)} subscribers in {timeout_s} s"
            ) from None
        return delivery

    async def close(self) -> None:
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
        await asyncio.gather(*(connection.close() for connection in self._connections))

    def _raise_if_broken(self) -> None:
        for reader in self._readers:
            if reader.done() and not reader.cancelled():
                reader.result()

    def _delivery(self, seq: int) -> Delivery:
        delivery = self._deliveries.get(seq)
        if delivery is None:
            delivery = self._deliveries[seq] = Delivery()
        return delivery

    async def _read(self, index: int, connection: ClientConnection) -> None:
        async for raw in connection:
            message = json.loads(raw)
            received_at = perf_counter()
            if message["type"] == "ping":
                continue
            if message["type"] != "next" or "errors" in message["payload"]:
                raise RuntimeError(f"subscriber {index} got {message}")
            delivery = self._delivery(message["payload"]["data"]["groupFeed"]["seq"])
            if delivery.count == 0:
                delivery.first_at = received_at
            delivery.last_at = received_at
            delivery.count += 1
            if delivery.count == len(self):
                delivery.everywhere.set()
        raise RuntimeError(f"subscriber {index}'s socket closed: {connection.close_reason}")


@asynccontextmanager
async def subscribed(
    ws_url: str, tokens: list[str], group_id: str, after_seq: int, query: str = FEED
) -> AsyncIterator[FeedSubscribers]:
    """One socket per token, each logged in and subscribed to the group's feed after `after_seq`.

    graphql-transport-ws acknowledges no subscription; subscribing after a seq makes the next
    item reach every socket, live or replayed from the store, however late its subscription
    started, so that once it has everywhere, every subscription is live.
    """
    opening = asyncio.Semaphore(OPENING_AT_ONCE)
    variables = {"groupId": group_id, "afterSeq": after_seq}

    async def subscriber(token: str) -> ClientConnection:
        async with opening:
            # No compression and no client pings: wx.connectSocket offers neither by default.
            connection = await connect(
                ws_url, subprotocols=[TRANSPORT_WS], compression=None, ping_interval=None
            )
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            await connection.send(json.dumps(init))
            ack = json.loads(await connection.recv())
            if ack["type"] != "connection_ack":
                raise RuntimeError(f"connection_init refused: {ack}")
            payload = {"query": query, "variables": variables}
            await connection.send(
                json.dumps({"id": "feed", "type": "subscribe", "payload": payload})
            )
            return connection

    subscribers = FeedSubscribers(await asyncio.gather(*(subscriber(token) for token in tokens)))
    try:
        yield subscribers
    finally:
        await subscribers.close()
