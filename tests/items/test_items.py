"""Posting text items and reading a group's feed."""

import asyncio
import base64

from tests.actors import join, login
from tests.conftest import Api
from tests.items.documents import FEED, POST


async def test_a_member_posts_text_with_increasing_seq(api: Api) -> None:
    alice = await join(api, "alice")
    first = await alice.say("hello")
    second = await alice.say("again")
    assert (first["seq"], first["type"], first["text"]) == (1, "TEXT", "hello")
    assert second["seq"] == 2
    viewer = (await alice.data("{ viewer { id } }"))["viewer"]
    assert first["author"]["id"] == viewer["id"]


async def test_concurrent_posts_get_distinct_strictly_increasing_seqs(api: Api) -> None:
    alice, bob = await join(api, "alice"), await join(api, "bob")
    posts = await asyncio.gather(*((alice, bob)[n % 2].say(f"m{n}") for n in range(40)))
    assert sorted(post["seq"] for post in posts) == list(range(1, 41))
    feed = (await alice.data(FEED, id=alice.group_id, first=100))["group"]
    assert feed["lastSeq"] == 40
    assert [edge["node"]["seq"] for edge in feed["items"]["edges"]] == list(range(40, 0, -1))


async def test_feed_pages_newest_first_and_cursors_stay_stable_while_items_arrive(
    api: Api,
) -> None:
    alice = await join(api, "alice")
    for n in range(1, 6):
        await alice.say(f"m{n}")
    page = (await alice.data(FEED, id=alice.group_id, first=2))["group"]["items"]
    assert [edge["node"]["text"] for edge in page["edges"]] == ["m5", "m4"]
    await alice.say("m6")
    after = page["pageInfo"]["endCursor"]
    page = (await alice.data(FEED, id=alice.group_id, first=2, after=after))["group"]["items"]
    assert [edge["node"]["text"] for edge in page["edges"]] == ["m3", "m2"]
    after = page["pageInfo"]["endCursor"]
    page = (await alice.data(FEED, id=alice.group_id, first=2, after=after))["group"]["items"]
    assert [edge["node"]["text"] for edge in page["edges"]] == ["m1"]
    assert page["pageInfo"]["hasNextPage"] is False


async def test_a_non_member_cannot_post(api: Api) -> None:
    alice = await join(api, "alice")
    mallory = await login(api, "mallory")
    item = {"groupId": alice.group_id, "text": "spam"}
    assert await mallory.error_code(POST, input=item) == "FORBIDDEN"


async def test_text_must_be_present_and_within_the_limit(api: Api) -> None:
    alice = await join(api, "alice")
    limit = api.settings.max_text_length
    for text in [None, "", "   ", "x" * (limit + 1)]:
        assert await alice.post_error(text=text) == "BAD_USER_INPUT"
    assert (await alice.say("x" * limit))["seq"] == 1


async def test_posting_needs_a_login(api: Api) -> None:
    alice = await join(api, "alice")
    item = {"groupId": alice.group_id, "text": "hi"}
    assert await api.error_code(POST, {"input": item}) == "UNAUTHENTICATED"


async def test_a_forged_feed_cursor_is_bad_input(api: Api) -> None:
    alice = await join(api, "alice")
    for position in ["²", "9" * 40, "-1", ""]:
        forged = base64.urlsafe_b64encode(f"items:{position}".encode()).decode()
        assert await alice.error_code(FEED, id=alice.group_id, after=forged) == "BAD_USER_INPUT"


async def test_posting_to_an_unknown_group_is_not_found(api: Api) -> None:
    alice = await login(api, "alice")
    item = {"groupId": "0123456789abcdef01234567", "text": "hi"}
    assert await alice.error_code(POST, input=item) == "NOT_FOUND"
