"""Two app instances on one store and one Redis: events cross from one instance to the other."""

import asyncio
import uuid

from tests.conftest import Clock, serving
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
