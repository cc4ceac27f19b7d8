"""A post retried after a lost answer (a timeout, a dropped connection) is posted once when it
carries the client's own id for it."""

import asyncio

from tests.actors import join
from tests.conftest import Api


async def test_a_retry_with_the_same_client_id_returns_the_first_item(api: Api) -> None:
    alice = await join(api, "alice")

    first = await alice.say("see you at 8", clientId="c-1")
    retried = await alice.say("see you at 8", clientId="c-1")

    assert retried == first
    assert first["clientId"] == "c-1"
    assert [item["id"] for item in await alice.feed()] == [first["id"]]


async def test_waves_of_simultaneous_retries_post_each_item_once(api: Api) -> None:
    members = [await join(api, name) for name in ("alice", "bob", "carol", "dave")]

    for wave in range(3):
        posted = await asyncio.gather(
            *(
                member.say(f"wave {wave}", clientId=f"wave-{wave}")
                for member in members
                for _ in range(5)
            )
        )
        by_author: dict[str, set[str]] = {}
        for item in posted:
            by_author.setdefault(item["author"]["id"], set()).add(item["id"])
        assert all(len(ids) == 1 for ids in by_author.values()), by_author

    feed = await members[0].feed()
    assert len(feed) == 3 * len(members)
    assert sorted(item["seq"] for item in feed) == list(range(1, len(feed) + 1))


async def test_a_client_id_belongs_to_its_author(api: Api) -> None:
    alice, bob = await join(api, "alice"), await join(api, "bob")

    mine = await alice.say("mine", clientId="same")
    theirs = await bob.say("theirs", clientId="same")

    assert mine["id"] != theirs["id"]
    assert (mine["text"], theirs["text"]) == ("mine", "theirs")


async def test_a_malformed_client_id_is_refused(api: Api) -> None:
    alice = await join(api, "alice")

    for client_id in ("", "x" * 65, "has space", "引号"):
        assert await alice.post_error(text="hi", clientId=client_id) == "BAD_USER_INPUT"
    assert await alice.feed() == []
