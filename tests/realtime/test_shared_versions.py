"""The response cache across app instances on one in-memory store (and one Redis, for the bus):
the store's versions, which every client of it moves, end what one instance kept when another
writes; with the bus's Redis gone, answers stay right. (Versions in Redis, which instances on
MongoDB share: tests/realtime/test_redis_versions.py.)"""

import asyncio
import uuid

from tests.actors import join
from tests.conftest import Clock, serving
from tests.fakes.redis_server import RedisServer

PAGE = """
query($id: ID!) { group(id: $id) { lastSeq title items(first: 5) { edges { node { text } } } } }
"""


async def test_a_write_through_one_instance_ends_what_the_other_kept(
    redis_url: str, clock: Clock
) -> None:
    store = f"memory://versions-{uuid.uuid4().hex}"
    async with (
        serving(clock, redis_url=redis_url, mongodb_url=store) as first,
        serving(clock, redis_url=redis_url, mongodb_url=store) as second,
    ):
        alice = await join(first.api, "alice")
        bob = (await join(second.api, "bob")).through(second.api)
        readers = [alice] + [await join(first.api, f"reader{n}") for n in range(5)]
        for n in range(3):
            await asyncio.gather(*(one.data(PAGE, id=alice.group_id) for one in readers))
            await asyncio.gather(*(one.data(PAGE, id=alice.group_id) for one in readers))
            await bob.say(f"through the second instance {n}")
            await alice.through(second.api).update_group(title=f"Renamed {n}")
            pages = await asyncio.gather(*(one.data(PAGE, id=alice.group_id) for one in readers))
            for page in pages:
                assert page["group"]["lastSeq"] == n + 1
                assert page["group"]["title"] == f"Renamed {n}"
        metrics = (await first.api.http.get("/metrics")).text
        assert 'groupql_response_cache_total{result="hit"}' in metrics


async def test_with_the_bus_down_answers_stay_right(
    clock: Clock, redis_server: RedisServer
) -> None:
    async with serving(clock, redis_url=redis_server.url) as live:
        alice = await join(live.api, "alice")
        await alice.data(PAGE, id=alice.group_id)
        await asyncio.to_thread(redis_server.stop)
        await alice.say("while Redis is down")
        page = await alice.data(PAGE, id=alice.group_id)
        assert page["group"]["lastSeq"] == 1
        await asyncio.to_thread(redis_server.start)
        assert (await alice.data(PAGE, id=alice.group_id))["group"]["lastSeq"] == 1
        await alice.say("after")
        for _ in range(2):
            assert (await alice.data(PAGE, id=alice.group_id))["group"]["lastSeq"] == 2
