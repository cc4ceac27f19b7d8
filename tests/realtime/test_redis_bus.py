"""The Redis bus against a real redis-server: buses stand for app instances sharing one Redis."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from redis.asyncio import Redis

from groupql.realtime.bus import BusUnavailable, FellBehind, Message, Subscription
from groupql.realtime.redis_bus import RedisBus
from tests.fakes.redis_server import RedisServer
from tests.realtime.conftest import StartRedisBus

T = TypeVar("T")


async def subscribe(bus: RedisBus, channel: str, timeout_s: float = 5.0) -> Subscription:
    return await asyncio.wait_for(bus.subscribe(channel), timeout_s)


async def next_message(subscription: Subscription, timeout_s: float = 2.0) -> Message:
    return await asyncio.wait_for(anext(subscription), timeout_s)


def new_channel() -> str:
    return f"group:{uuid.uuid4().hex}"


async def eventually(attempt: Callable[[], Awaitable[T]], timeout_s: float = 10.0) -> T:
    """The result of `attempt`, retried while Redis is unavailable or an assertion fails."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return await attempt()
        except (BusUnavailable, AssertionError):
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.05)


async def redis_subscriber_count(url: str, channel: str) -> int:
    async with Redis.from_url(url) as redis:
        [(_, count)] = await redis.pubsub_numsub(channel)
        return int(count)


async def test_subscriber_on_one_instance_sees_in_order_what_another_publishes(
    redis_bus: StartRedisBus,
) -> None:
    receiving, publishing = await redis_bus(buffer_size=200), await redis_bus()
    channel = new_channel()
    subscription = await subscribe(receiving, channel)

    for seq in range(200):
        await publishing.publish(channel, {"seq": seq, "kind": "item_added", "text": None})

    received = [(await next_message(subscription)).payload for _ in range(200)]
    assert received == [{"seq": seq, "kind": "item_added", "text": None} for seq in range(200)]


async def test_fifty_local_subscribers_share_one_redis_subscription(
    redis_bus: StartRedisBus, redis_url: str
) -> None:
    bus = await redis_bus()
    channel = new_channel()
    subscriptions = await asyncio.gather(*(subscribe(bus, channel) for _ in range(50)))

    assert await redis_subscriber_count(redis_url, channel) == 1
    await bus.publish(channel, {"seq": 1})
    received = [await next_message(subscription) for subscription in subscriptions]
    assert all(message is received[0] for message in received)

    for subscription in subscriptions:
        subscription.close()

    async def no_redis_subscription() -> None:
        assert await redis_subscriber_count(redis_url, channel) == 0

    await eventually(no_redis_subscription)


async def test_subscribe_returns_only_once_redis_holds_the_subscription(
    redis_bus: StartRedisBus, redis_url: str
) -> None:
    bus = await redis_bus()
    channel = new_channel()
    async with Redis.from_url(redis_url) as admin:
        await admin.client_pause(300, all=True)
        subscribing = asyncio.create_task(subscribe(bus, channel))
        await asyncio.sleep(0.1)  # time for a subscribe that did not wait for Redis to return
        assert not subscribing.done()

        await subscribing
        assert await redis_subscriber_count(redis_url, channel) == 1


async def test_subscribe_unsubscribe_subscribe_in_quick_succession_still_delivers(
    redis_bus: StartRedisBus, redis_url: str
) -> None:
    bus, publishing = await redis_bus(), await redis_bus()
    channel = new_channel()
    subscription = await subscribe(bus, channel)
    # From "subscribe at once" to "after the UNSUBSCRIBE went out, before Redis confirmed it".
    for seq, yields in enumerate([0, 1, 2, 3] * 3):
        subscription.close()
        for _ in range(yields):
            await asyncio.sleep(0)
        subscription = await subscribe(bus, channel)

        await publishing.publish(channel, {"seq": seq})
        assert (await next_message(subscription)).payload == {"seq": seq}

    assert await redis_subscriber_count(redis_url, channel) == 1


async def test_slow_subscriber_is_cut_off_while_another_keeps_receiving(
    redis_bus: StartRedisBus,
) -> None:
    bus, publishing = await redis_bus(buffer_size=5), await redis_bus()
    channel = new_channel()
    slow, keeping_up = await subscribe(bus, channel), await subscribe(bus, channel)

    for seq in range(20):
        await publishing.publish(channel, {"seq": seq})
        assert (await next_message(keeping_up)).payload == {"seq": seq}

    assert [(await next_message(slow)).payload["seq"] for _ in range(5)] == [0, 1, 2, 3, 4]
    with pytest.raises(FellBehind):
        await next_message(slow)


async def test_subscribers_are_cut_off_when_redis_goes_away_and_the_bus_recovers(
    redis_bus: StartRedisBus, redis_server: RedisServer
) -> None:
    bus, publishing = await redis_bus(redis_server.url), await redis_bus(redis_server.url)
    channel = new_channel()
    subscription = await subscribe(bus, channel)

    await asyncio.to_thread(redis_server.stop)

    with pytest.raises(BusUnavailable):
        await next_message(subscription)
    with pytest.raises(BusUnavailable):
        await publishing.publish(channel, {"seq": 1})
    with pytest.raises(BusUnavailable):
        await subscribe(bus, channel)
    subscription.close()

    await asyncio.to_thread(redis_server.start)

    resumed = await eventually(lambda: subscribe(bus, channel))
    await publishing.publish(channel, {"seq": 2})
    assert (await next_message(resumed)).payload == {"seq": 2}
    assert await redis_subscriber_count(redis_server.url, channel) == 1


async def test_closing_the_bus_cuts_off_subscribers_with_bus_unavailable(redis_url: str) -> None:
    bus = RedisBus(redis_url, buffer_size=10)
    await bus.start()
    subscription = await subscribe(bus, new_channel())

    await bus.close()

    with pytest.raises(BusUnavailable, match="shutting down"):
        await next_message(subscription)
