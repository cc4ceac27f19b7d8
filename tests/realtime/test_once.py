"""Once: a value many tasks ask for is made once, by whoever asks first."""

import asyncio

import pytest

from groupql.realtime.once import Once


async def test_a_value_is_made_once_however_many_tasks_ask_at_once() -> None:
    once, made = Once(), []

    async def make() -> str:
        made.append(1)
        await asyncio.sleep(0)  # a round trip: the others come meanwhile
        return "value"

    values = await asyncio.gather(*(once.get("key", make) for _ in range(50)))
    assert values == ["value"] * 50
    assert made == [1]
    assert await once.get("key", make) == "value" and made == [1]


async def test_a_value_that_needs_no_round_trip_is_ready_for_the_next_caller_at_once() -> None:
    once = Once()

    async def make() -> int:
        return 42

    assert await once.get("key", make) == 42
    # Done in the first caller's own step: nothing for the next to wait for.
    waiting = asyncio.ensure_future(once.get("key", make))
    await asyncio.sleep(0)
    assert waiting.done() and waiting.result() == 42


async def test_an_error_is_told_to_every_caller_and_not_made_again() -> None:
    once, tries = Once(), []

    async def make() -> str:
        tries.append(1)
        await asyncio.sleep(0)
        raise LookupError("the database did not answer")

    results = await asyncio.gather(
        *(once.get("key", make) for _ in range(3)), return_exceptions=True
    )
    assert [type(result) for result in results] == [LookupError] * 3
    with pytest.raises(LookupError):
        await once.get("key", make)
    assert tries == [1]


async def test_the_first_caller_going_away_leaves_the_making_to_the_next() -> None:
    once, started = Once(), asyncio.Event()

    async def make() -> str:
        started.set()
        await asyncio.sleep(0.05)
        return "value"

    first = asyncio.ensure_future(once.get("key", make))
    await started.wait()
    second = asyncio.ensure_future(once.get("key", make))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == "value"
    assert first.cancelled()
