"""Two app instances on one store and one Redis: events cross from one instance to the other."""

import asyncio
import uuid

import pytest
import websockets

from groupql.realtime import redis_bus
from tests.conftest import Clock, serving
from tests.fakes.redis_server import RedisServer
from tests.schema.test_group_feed import FEED, POST
from tests.ws_client import GraphQLSocket


async def test_a_subscriber_on_one_instance_sees_posts_through_another_in_order(
    redis_url: str, clock: Clock
) -> None:
    store = f"memory://instances-{uuid.uuid4().hex}"
    async with (
        serving(clock, redis_url=redis_url, mongodb_url=store) as first,
        serving(clock, redis_url=redis_url, mongodb_url=store) as second,
    ):
        alice = await first.api.login_as("alice")
        group_id = (await first.api.join("alice", "G1"))["group"]["id"]
        socket = await GraphQLSocket.open(first.ws_url)
        await socket.init(alice)
        await socket.subscribe(FEED, {"groupId": group_id})
        await asyncio.sleep(0.2)
        await second.api.join("bob", "G1")
        bob = await second.api.login_as("bob")
        joined = (await socket.data())["groupFeed"]
        assert (joined["__typename"], joined["member"]["status"]) == ("MemberJoined", "ACTIVE")
        for n in range(30):
            await second.api.data(POST, {"g": group_id, "t": f"m{n}"}, token=bob)
        events = [(await socket.data())["groupFeed"] for _ in range(30)]
        assert [event["seq"] for event in events] == list(range(1, 31))
        assert [event["item"]["text"] for event in events] == [f"m{n}" for n in range(30)]
        await socket.close()


async def test_a_feed_cut_off_by_a_redis_outage_closes_1013_and_resumes_after(
    clock: Clock,
) -> None:
    with RedisServer() as redis:
        async with serving(clock, redis_url=redis.url) as live:
            alice = await live.api.login_as("alice")
            group_id = (await live.api.join("alice", "G1"))["group"]["id"]
            await live.api.data(POST, {"g": group_id, "t": "before"}, token=alice)
            socket = await GraphQLSocket.open(live.ws_url)
            await socket.init(alice)
            await socket.subscribe(FEED, {"groupId": group_id, "afterSeq": 0})
            assert (await socket.data())["groupFeed"]["seq"] == 1
            await asyncio.to_thread(redis.stop)
            code, reason = await socket.closed()
            assert code == 1013
            assert reason and "afterSeq: 1" in reason
            # While Redis is down a new subscription is refused the same way, not with INTERNAL.
            down = await GraphQLSocket.open(live.ws_url)
            await down.init(alice)
            await down.subscribe(FEED, {"groupId": group_id, "afterSeq": 1})
            assert (await down.closed())[0] == 1013
            await asyncio.to_thread(redis.start)
            await live.api.data(POST, {"g": group_id, "t": "after"}, token=alice)
            for _ in range(50):  # the bus reconnects on its own, with backoff
                resumed = await GraphQLSocket.open(live.ws_url)
                await resumed.init(alice)
                await resumed.subscribe(FEED, {"groupId": group_id, "afterSeq": 1})
                try:
                    replayed = await resumed.data()
                    break
                except websockets.ConnectionClosed:
                    await asyncio.sleep(0.1)
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
