"""What a ranking costs as a group grows: a page and the viewer's place read the same store
round trips for 10 members as for 100, and recording a score writes the same."""

from collections import Counter

from tests.actors import Member, join
from tests.conftest import Api
from tests.rankings.leaderboards import define, ranking, record


async def group_of(api: Api, size: int, chat: str) -> list[Member]:
    """A group of `size` members with a score each (ties too), its owner first."""
    members = [await join(api, f"{chat}-m{n}", chat) for n in range(size)]
    await define(members[0], "points")
    for n, member in enumerate(members):
        await record(member, "points", n % 7)
    return members


async def page_costs(api: Api, viewer: Member, **arguments: object) -> Counter[str]:
    """The commands of one ranking page, by collection."""
    await api.forget_kept_reads()
    api.round_trips.reset()
    await ranking(viewer, "points", **arguments)
    return Counter(api.round_trips.collections)


async def record_costs(api: Api, member: Member) -> tuple[int, Counter[str]]:
    """The writes, and the commands by collection, of recording one value."""
    await api.forget_kept_reads()
    api.round_trips.reset()
    await record(member, "points", 3)
    return api.round_trips.writes(), Counter(api.round_trips.collections)


async def test_a_ranking_page_and_a_record_cost_the_same_for_10_or_100_members(
    api: Api,
) -> None:
    small = await group_of(api, 10, "SMALL")
    large = await group_of(api, 100, "LARGE")

    first_small = await page_costs(api, small[3], first=10)
    first_large = await page_costs(api, large[55], first=10)  # the viewer far down
    after = (await ranking(large[55], "points", first=10))["entries"]["pageInfo"]["endCursor"]
    next_large = await page_costs(api, large[55], first=10, after=after)
    whole_large = await page_costs(api, large[55], first=100, period="ALL")

    assert first_small == first_large == next_large == whole_large
    # viewer, group, membership, metric (the session is remembered); the page, the viewer's
    # score, their standing; the page's members and users (its group is the one read above,
    # kept: groupql.store.kept_reads)
    assert first_large == {
        "users": 2,
        "groups": 1,
        "members": 2,
        "metrics": 1,
        "scores": 3,
    }
    assert await record_costs(api, small[4]) == await record_costs(api, large[80])
    writes, _ = await record_costs(api, large[81])
    assert writes == 2  # the record, and the member's four scores in one bulk write
