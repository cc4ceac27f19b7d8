"""What /metrics says of the bus: how late events arrive through Redis, and which feeds it cut."""

import asyncio
import uuid

import pytest

from groupql.observability.metrics import Metrics, observing
from groupql.realtime.bus import FellBehind, InProcessBus
from tests.actors import join
from tests.conftest import Clock, serving
from tests.fakes.redis_server import RedisServer
from tests.live.feeds import feed_socket, until_feed_is_live
from tests.observability.test_metrics import scrape, value


async def test_events_through_redis_count_their_lag_and_arrive_unstamped(
    redis_url: str, clock: Clock
) -> None:
    store = f"memory://bus-lag-{uuid.uuid4().hex}"
    async with (
        serving(clock, redis_url=redis_url, mongodb_url=store) as first,
        serving(clock, redis_url=redis_url, mongodb_url=store) as second,
    ):
        alice = await join(first.api, "alice")
        socket = await feed_socket(first.ws_url, alice, alice.group_id)
        await until_feed_is_live(alice.through(second.api), socket)
        before = await scrape(first.api)
        for n in range(5):
            await alice.through(second.api).say(f"m{n}")
        texts = [(await socket.data())["groupFeed"]["item"]["text"] for _ in range(5)]
        after = await scrape(first.api)
        await socket.close()

    assert texts == [f"m{n}" for n in range(5)]
    heard = value(after, "groupql_bus_lag_seconds_count") - value(
        before, "groupql_bus_lag_seconds_count"
    )
    assert heard >= 5  # every instance hears its own events through Redis too
    lag = value(after, "groupql_bus_lag_seconds_sum") - value(before, "groupql_bus_lag_seconds_sum")
    assert 0 <= lag < heard * 5.0  # loopback Redis: lags are far under the top bucket each


async def test_a_redis_outage_counts_the_feeds_it_cut_off(
    clock: Clock, redis_server: RedisServer
) -> None:
    async with serving(clock, redis_url=redis_server.url) as live:
        alice = await join(live.api, "alice")
        sockets = [await feed_socket(live.ws_url, alice, alice.group_id) for _ in range(3)]
        await asyncio.sleep(0.2)
        await asyncio.to_thread(redis_server.stop)
        assert [(await socket.closed())[0] for socket in sockets] == [1013] * 3
        samples = await scrape(live.api)

    assert value(samples, "groupql_subscriptions_cut_off_total", reason="bus_unavailable") == 3
    assert value(samples, "groupql_websocket_closes_total", code="1013") == 3


async def test_a_slow_subscriber_counts_as_fell_behind_once() -> None:
    metrics = Metrics()
    bus = InProcessBus(buffer_size=2)
    slow = await bus.subscribe("group:1")
    keeping_up = await bus.subscribe("group:1")
    with observing(metrics):
        for n in range(5):
            await bus.publish("group:1", {"type": "ITEM_POSTED", "seq": n})
            await anext(keeping_up)

    assert [(await anext(slow)).payload["seq"] for _ in range(2)] == [0, 1]
    with pytest.raises(FellBehind):
        await anext(slow)
    cut = {"reason": "fell_behind"}
    assert metrics.registry.get_sample_value("groupql_subscriptions_cut_off_total", cut) == 1
