"""The in-process bus, and the fan-out, buffers and message memo every bus shares."""

import asyncio

import pytest

from groupql.realtime.bus import BusUnavailable, FellBehind, InProcessBus, Message, Subscription


async def next_message(subscription: Subscription, timeout_s: float = 1.0) -> Message:
    return await asyncio.wait_for(anext(subscription), timeout_s)


async def test_publish_reaches_every_subscriber_of_the_channel_and_no_other() -> None:
    bus = InProcessBus(buffer_size=10)
    first, second = await bus.subscribe("group:1"), await bus.subscribe("group:1")
    elsewhere = await bus.subscribe("group:2")

    await bus.publish("group:1", {"seq": 1})

    assert (await next_message(first)).payload == {"seq": 1}
    assert (await next_message(second)).payload == {"seq": 1}
    with pytest.raises(TimeoutError):
        await next_message(elsewhere, timeout_s=0.05)


async def test_every_local_subscriber_gets_the_same_message_object() -> None:
    bus = InProcessBus(buffer_size=10)
    subscriptions = [await bus.subscribe("group:1") for _ in range(3)]

    await bus.publish("group:1", {"seq": 1})

    received = [await next_message(subscription) for subscription in subscriptions]
    assert all(message is received[0] for message in received)


async def test_memo_computes_once_for_many_concurrent_awaiters() -> None:
    message = Message({"seq": 1})
    calls = 0

    async def load_item() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return "item 7"

    results = await asyncio.gather(*(message.memo("item", load_item) for _ in range(20)))

    assert results == ["item 7"] * 20
    assert calls == 1


async def test_memo_keeps_computing_for_others_when_one_awaiter_is_cancelled() -> None:
    message = Message({"seq": 1})
    loaded = asyncio.Event()

    async def load_item() -> str:
        await loaded.wait()
        return "item 7"

    gone = asyncio.create_task(message.memo("item", load_item))
    staying = asyncio.create_task(message.memo("item", load_item))
    await asyncio.sleep(0)
    gone.cancel()
    loaded.set()

    assert await staying == "item 7"


async def test_overflowing_subscriber_gets_fell_behind_after_its_buffered_messages() -> None:
    bus = InProcessBus(buffer_size=3)
    slow, keeping_up = await bus.subscribe("group:1"), await bus.subscribe("group:1")

    for seq in range(1, 6):
        await bus.publish("group:1", {"seq": seq})
        assert (await next_message(keeping_up)).payload == {"seq": seq}

    assert [(await next_message(slow)).payload["seq"] for _ in range(3)] == [1, 2, 3]
    with pytest.raises(FellBehind):
        await next_message(slow)
    await bus.publish("group:1", {"seq": 6})
    assert (await next_message(keeping_up)).payload == {"seq": 6}


async def test_closed_subscription_gets_nothing_more() -> None:
    bus = InProcessBus(buffer_size=10)
    subscription = await bus.subscribe("group:1")

    subscription.close()
    await bus.publish("group:1", {"seq": 1})

    assert not bus.has("group:1")
    with pytest.raises(TimeoutError):
        await next_message(subscription, timeout_s=0.05)


async def test_closing_the_bus_cuts_off_subscribers_with_bus_unavailable() -> None:
    bus = InProcessBus(buffer_size=10)
    subscription = await bus.subscribe("group:1")
    await bus.publish("group:1", {"seq": 1})

    await bus.close()

    assert (await next_message(subscription)).payload == {"seq": 1}
    with pytest.raises(BusUnavailable, match="shutting down"):
        await next_message(subscription)
