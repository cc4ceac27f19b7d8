"""What attention costs as a group grows: an @all writes the same in a group of 500 as in one of
5, a mention of 30 writes 30 notifications in one insert, and a plain post writes nothing for
the members it does not mention."""

from typing import Any

from tests.actors import Member, join
from tests.conftest import Api, Clock, api_on_test_store
from tests.people.documents import NOTIFICATIONS, POST_MENTIONING, REACH


async def post(by: Member, **item: Any) -> None:
    await by.data(POST_MENTIONING, input={"groupId": by.group_id, "text": "x", **item})


async def costs(api: Api, by: Member, **item: Any) -> tuple[int, dict[str, int]]:
    """The write commands and inserted documents (by collection) of one post."""
    await api.forget_kept_reads()
    api.round_trips.reset()
    await post(by, **item)
    return api.round_trips.writes(), dict(api.round_trips.inserted)


async def group_of(api: Api, size: int, chat: str) -> list[Member]:
    return [await join(api, f"{chat}-m{n}", chat) for n in range(size)]


async def test_at_all_and_plain_posts_write_the_same_in_a_group_of_500_as_of_5(
    clock: Clock,
) -> None:
    async with api_on_test_store(clock, rate_mention_all_per_hour=0) as api:
        small = await group_of(api, 5, "small")
        large = await group_of(api, 500, "large")
        for item in ({}, {"mentionAll": True}):
            assert await costs(api, small[0], **item) == await costs(api, large[0], **item)
        assert await costs(api, large[0], mentionAll=True) == (
            # the item, the author's read marker and posts score, one notification for the group
            4,
            {"items": 1, "notifications": 1},
        )
        reach = (await large[0].data(REACH, id=large[0].group_id))["group"]
        assert reach["mentionAllReach"] == 499
        for member in (large[1], large[250], large[499]):
            feed = (await member.data(NOTIFICATIONS, first=5))["viewer"]["notifications"]
            assert [edge["node"]["kind"] for edge in feed["edges"]] == ["MENTION_ALL"] * 2


async def test_a_mention_of_30_writes_30_notifications_in_one_insert(api: Api) -> None:
    members = await group_of(api, 40, "G1")
    named = [member.user_id for member in members[1:31]]
    writes, inserted = await costs(api, members[0], mentions=named)
    # the item, the author's read marker and posts score, one insert of notifications
    assert (writes, inserted) == (4, {"items": 1, "notifications": 30})
    writes, inserted = await costs(api, members[0], mentions=named[:3])
    assert (writes, inserted) == (4, {"items": 1, "notifications": 3})
