"""The rules an item's link, text, poll and parent must follow, and the limits settings set."""

from datetime import timedelta
from typing import Any

from tests.actors import join
from tests.conftest import Api, Clock, api_on_test_store
from tests.items.documents import CLOUD_FILE_ID, image, poll

UNKNOWN_ID = "0123456789abcdef01234567"


async def test_a_link_item_needs_an_https_link(api: Api) -> None:
    alice = await join(api, "alice")
    assert await alice.post_error(type="LINK", text="no link") == "BAD_USER_INPUT"
    for url in ["http://example.com/", CLOUD_FILE_ID, "javascript:alert(1)", "example.com"]:
        link = {"url": url}
        assert await alice.post_error(type="LINK", link=link) == "BAD_USER_INPUT", url


async def test_fields_that_belong_to_another_type_are_refused(api: Api) -> None:
    alice = await join(api, "alice")
    link = {"url": "https://example.com/"}
    refused: list[dict[str, Any]] = [
        {"type": "TEXT", "text": "hi", "poll": poll()},
        {"type": "TEXT", "text": "hi", "media": [image()]},
        {"type": "TEXT", "text": "hi", "link": link},
        {"type": "IMAGE", "media": [image()], "link": link},
        {"type": "IMAGE", "media": [image()], "poll": poll()},
        {"type": "LINK", "link": link, "media": [image()]},
        {"type": "POLL", "text": "?", "poll": poll(), "media": [image()]},
        {"type": "QUESTION", "text": "?", "poll": poll()},
    ]
    for item in refused:
        assert await alice.post_error(**item) == "BAD_USER_INPUT", item


async def test_a_poll_has_two_to_twenty_options(api: Api) -> None:
    alice = await join(api, "alice")
    for count in [2, 20]:
        options = [f"option {n}" for n in range(count)]
        item = await alice.post(type="POLL", text="?", poll=poll(*options))
        assert len(item["poll"]["options"]) == count
    for count in [1, 21]:
        options = [f"option {n}" for n in range(count)]
        code = await alice.post_error(type="POLL", text="?", poll=poll(*options))
        assert code == "BAD_USER_INPUT", count
    assert await alice.post_error(type="POLL", text="?", poll={"options": []}) == "BAD_USER_INPUT"


async def test_a_poll_option_is_one_to_100_characters(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.post(type="POLL", text="?", poll=poll("x" * 100, "y"))
    assert item["poll"]["options"][0]["text"] == "x" * 100
    for option in ["x" * 101, ""]:
        code = await alice.post_error(type="POLL", text="?", poll=poll(option, "y"))
        assert code == "BAD_USER_INPUT", len(option)


async def test_a_poll_cannot_repeat_an_option(api: Api) -> None:
    alice = await join(api, "alice")
    code = await alice.post_error(type="POLL", text="?", poll=poll("Yes", "No", "Yes"))
    assert code == "BAD_USER_INPUT"


async def test_a_poll_cannot_close_in_the_past(api: Api, clock: Clock) -> None:
    alice = await join(api, "alice")
    for closed_ago in [timedelta(minutes=1), timedelta(days=30)]:
        closes_at = (clock.now - closed_ago).isoformat()
        code = await alice.post_error(type="POLL", text="?", poll=poll(closesAt=closes_at))
        assert code == "BAD_USER_INPUT", closed_ago


async def test_a_poll_needs_its_question_and_its_options(api: Api) -> None:
    alice = await join(api, "alice")
    assert await alice.post_error(type="POLL", poll=poll()) == "BAD_USER_INPUT"
    assert await alice.post_error(type="POLL", text="", poll=poll()) == "BAD_USER_INPUT"
    assert await alice.post_error(type="POLL", text="Lunch?") == "BAD_USER_INPUT"


async def test_text_and_question_items_need_text(api: Api) -> None:
    alice = await join(api, "alice")
    for item_type in ["TEXT", "QUESTION"]:
        for text in [None, ""]:
            code = await alice.post_error(type=item_type, text=text)
            assert code == "BAD_USER_INPUT", (item_type, text)


async def test_a_reply_to_an_item_of_another_group_looks_like_a_reply_to_no_item(
    api: Api,
) -> None:
    alice = await join(api, "alice", "G1")
    elsewhere = await alice.join("G2")
    other_item = await elsewhere.post(type="TEXT", text="in G2")
    other_group_code = await alice.post_error(type="TEXT", text="re", replyTo=other_item["id"])
    unknown_code = await alice.post_error(type="TEXT", text="re", replyTo=UNKNOWN_ID)
    malformed_code = await alice.post_error(type="TEXT", text="re", replyTo="not-an-id")
    assert other_group_code in ("NOT_FOUND", "BAD_USER_INPUT")
    assert unknown_code in ("NOT_FOUND", "BAD_USER_INPUT")
    assert malformed_code in ("NOT_FOUND", "BAD_USER_INPUT")
    assert other_group_code == unknown_code, "a refusal must not tell that the item exists"


async def test_media_and_poll_limits_follow_the_settings(clock: Clock) -> None:
    async with api_on_test_store(clock, max_media_per_item=2, max_poll_options=3) as api:
        alice = await join(api, "alice")
        assert len((await alice.post(type="IMAGE", media=[image()] * 2))["media"]) == 2
        assert await alice.post_error(type="IMAGE", media=[image()] * 3) == "BAD_USER_INPUT"
        three = poll("a", "b", "c")
        assert len((await alice.post(type="POLL", text="?", poll=three))["poll"]["options"]) == 3
        four = poll("a", "b", "c", "d")
        assert await alice.post_error(type="POLL", text="?", poll=four) == "BAD_USER_INPUT"
