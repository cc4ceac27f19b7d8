"""Two app instances on one store and one Redis: events cross from one instance to the other."""

import asyncio
import uuid

import pytest
import websockets

from groupql.realtime import redis_bus
from tests.actors import join
from tests.conftest import Clock, serving
from tests.fakes.redis_server import RedisServer
from tests.live.feeds import feed_socket, until_feed_is_live


async def test_a_subscriber_on_one_instance_sees_posts_through_another_in_order(
    redis_url: str, clock: Clock
) -> None:
    store = f"memory://instances-{uuid.uuid4().hex}"
    async with (
        serving(clock, redis_url=redis_url, mongodb_url=store) as first,
        serving(clock, redis_url=redis_url, mongodb_url=store) as second,
    ):
        alice = await join(first.api, "alice")
        socket = await feed_socket(first.ws_url, alice, alice.group_id)
        # Live once an event made through the second instance has crossed Redis to the first.
        await until_feed_is_live(alice.through(second.api), socket)
        bob = await join(second.api, "bob")
        joined = (await socket.data())["groupFeed"]
        assert (joined["__typename"], joined["member"]["status"]) == ("MemberJoined", "ACTIVE")
        for n in range(30):
            await bob.say(f"m{n}")
        events = [(await socket.data())["groupFeed"] for _ in range(30)]
        assert [event["seq"] for event in events] == list(range(1, 31))
        assert [event["item"]["text"] for event in events] == [f"m{n}" for n in range(30)]
        await socket.close()


async def test_a_feed_cut_off_by_a_redis_outage_closes_1013_and_resumes_after(
    clock: Clock, redis_server: RedisServer
) -> None:
    async with serving(clock, redis_url=redis_server.url) as live:
        alice = await join(live.api, "alice")
        await alice.say("before")
        socket = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=0)
        assert (await socket.data())["groupFeed"]["seq"] == 1
        await asyncio.to_thread(redis_server.stop)
        code, reason = await socket.closed()
        assert code == 1013
        assert reason and "afterSeq: 1" in reason
        # While Redis is down a new subscription is refused the same way, not with INTERNAL.
        down = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=1)
        assert (await down.closed())[0] == 1013
        await asyncio.to_thread(redis_server.start)
        await alice.say("after")
        for _ in range(50):  # the bus reconnects on its own, with backoff: poll for it
            resumed = await feed_socket(live.ws_url, alice, alice.group_id, after_seq=1)
            try:
                replayed = await resumed.data()
                break
            except websockets.ConnectionClosed:
                await asyncio.sleep(0.1)  # a moment for the backoff, before the next try
        assert replayed["groupFeed"]["item"]["text"] == "after"
        await resumed.close()


async def test_a_quiet_redis_subscription_is_not_mistaken_for_a_lost_connection(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_bus, "SOCKET_TIMEOUT_S", 0.3)
    bus = redis_bus.RedisBus(redis_url, buffer_size=10)
    await bus.start()
    try:
        subscription = await bus.subscribe("quiet")
        await asyncio.sleep(1.0)  # longer than the socket timeout, with nothing published
        await bus.publish("quiet", {"n": 1})
        message = await asyncio.wait_for(anext(subscription), 2)
        assert message.payload == {"n": 1}
    finally:
        await bus.close()
