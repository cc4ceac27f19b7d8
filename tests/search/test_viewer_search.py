"""Viewer.search: one search over all the viewer's groups, newest first, each hit with its
group; groups the viewer left are not searched."""

from typing import Any

from tests.actors import Member, join
from tests.conftest import Api, Clock
from tests.search.documents import VIEWER_SEARCH


async def search_page(member: Member, query: str, **arguments: Any) -> dict[str, Any]:
    page: dict[str, Any] = (await member.data(VIEWER_SEARCH, q=query, **arguments))["viewer"][
        "search"
    ]
    return page


async def hits(member: Member, query: str) -> list[tuple[str, str]]:
    """(group id, text) of each hit, newest first."""
    page = await search_page(member, query, first=100)
    return [(edge["node"]["group"]["id"], edge["node"]["item"]["text"]) for edge in page["edges"]]


async def test_one_search_finds_items_of_all_the_viewers_groups_newest_first(
    api: Api, clock: Clock
) -> None:
    alice_in_work = await join(api, "alice", chat="WORK")
    alice_in_family = await join(api, "alice", chat="FAMILY")
    bob_elsewhere = await join(api, "bob", chat="OTHER")
    await alice_in_work.say("周五发布 v2.1")
    clock.advance(minutes=1)
    await bob_elsewhere.say("周五发布会取消了")  # not one of alice's groups
    clock.advance(minutes=1)
    await alice_in_family.say("周五发布的照片在相册")
    clock.advance(minutes=1)
    await alice_in_work.say("周五发布推迟")

    found = await hits(alice_in_work, "周五 发布")

    assert found == [
        (alice_in_work.group_id, "周五发布推迟"),
        (alice_in_family.group_id, "周五发布的照片在相册"),
        (alice_in_work.group_id, "周五发布 v2.1"),
    ]
    [first] = (await search_page(alice_in_work, "推迟"))["edges"]
    assert first["node"]["highlights"] == [
        {"field": "TEXT", "start": 4, "end": 6, "optionId": None, "mediaIndex": None}
    ]


async def test_groups_the_viewer_left_are_not_searched(api: Api) -> None:
    alice_in_work = await join(api, "alice", chat="WORK")
    alice_in_club = await join(api, "alice", chat="CLUB")
    await alice_in_work.say("报销单已提交")
    await alice_in_club.say("报销找班长")
    await alice_in_club.leave()

    assert await hits(alice_in_work, "报销") == [(alice_in_work.group_id, "报销单已提交")]


async def test_items_posted_in_the_same_instant_page_without_repeats_or_gaps(api: Api) -> None:
    # The clock does not move: every item has the same createdAt, and the id orders them.
    alice_in_a = await join(api, "alice", chat="A")
    alice_in_b = await join(api, "alice", chat="B")
    for n in range(7):
        await (alice_in_a if n % 2 else alice_in_b).say(f"打卡 {n}")

    texts: list[str] = []
    page = await search_page(alice_in_a, "打卡", first=3)
    while True:
        texts += [edge["node"]["item"]["text"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        page = await search_page(alice_in_a, "打卡", first=3, after=page["pageInfo"]["endCursor"])

    assert texts == [f"打卡 {n}" for n in reversed(range(7))]


async def test_a_single_character_across_groups_is_refused_with_what_to_do(api: Api) -> None:
    alice = await join(api, "alice")
    body = await alice.send(VIEWER_SEARCH, q="猫")

    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Group.search" in error["message"]
    assert (await alice.error_code(VIEWER_SEARCH, q="打卡", after="bm9wZQ==")) == "BAD_USER_INPUT"


async def test_a_viewer_without_groups_finds_nothing(api: Api) -> None:
    alice = await join(api, "alice")
    await alice.leave()  # the group is gone with its last member, or alice is no longer in it

    page = await search_page(alice, "任何")
    assert page == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
