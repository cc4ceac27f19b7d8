"""What a search page costs: the same store round trips whatever the group's size and the page's,
when its hits are words of the query (one candidate read, plus the loaders of what it shows)."""

from collections import Counter

from tests.actors import Member, join, join_in_order
from tests.conftest import Api
from tests.search.documents import GROUP_SEARCH, VIEWER_SEARCH


async def round_trips(api: Api, member: Member, document: str, **variables: object) -> Counter[str]:
    """The commands of one search, by collection."""
    await api.forget_kept_reads()
    api.round_trips.reset()
    await member.data(document, **variables)
    return Counter(api.round_trips.collections)


async def test_a_group_search_page_costs_the_same_for_10_or_200_items_and_5_or_50_hits(
    api: Api,
) -> None:
    # In each group the hits' author is not the viewer (whose user the request reads anyway).
    small_group = await join(api, "alice", chat="SMALL")
    dave = await join(api, "dave", chat="SMALL")
    [large_group, bob] = await join_in_order(api, "carol", "bob")
    for n in range(10):
        await small_group.say(f"值日 {n}")
    for n in range(200):
        await (large_group if n % 2 else bob).say(f"值日表 第{n}周")

    small = await round_trips(api, dave, GROUP_SEARCH, id=dave.group_id, q="值日", first=5)
    large = await round_trips(api, bob, GROUP_SEARCH, id=bob.group_id, q="值日", first=50)

    assert small == large
    assert small["items"] == 1  # the candidates: one read for the whole page


async def test_a_viewer_search_costs_the_same_for_1_or_20_groups(api: Api) -> None:
    alone = await join(api, "alice", chat="ONLY")
    await alone.say("周会纪要")
    busy = [await join(api, "bob", chat=f"G{n}") for n in range(20)]
    for member in busy:
        await member.say("周会纪要")

    one = await round_trips(api, alone, VIEWER_SEARCH, q="周会", first=5)
    twenty = await round_trips(api, busy[0], VIEWER_SEARCH, q="周会", first=20)

    assert one == twenty
    assert one["items"] == 1 and one["members"] == 1  # the candidates; the viewer's groups
