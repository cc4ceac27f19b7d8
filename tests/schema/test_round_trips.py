"""A page costs a fixed number of store round trips, whatever its size (no N+1)."""

from typing import Any

from tests.actors import User, join, login
from tests.conftest import Api, Clock, api_on_test_store
from tests.items.documents import poll

PAGE = """
query($id: ID!, $first: Int) {
  group(id: $id) {
    members(first: $first) { edges { node { role user { id } } } }
    items(first: $first) { edges { node { seq author { id } } } }
  }
}
"""
MY_GROUPS = "query($first: Int) { myGroups(first: $first) { edges { node { id memberCount } } } }"


async def _round_trips(api: Api, viewer: User, query: str, **variables: Any) -> int:
    await api.forget_kept_reads()
    api.round_trips.reset()
    await viewer.data(query, **variables)
    return len(api.round_trips.commands)


async def test_a_group_page_costs_the_same_round_trips_for_2_or_30_rows(api: Api) -> None:
    members = [await join(api, f"user-{n}") for n in range(30)]
    for member in members:
        await member.say("hi")
    first = members[0]
    small = await _round_trips(api, first, PAGE, id=first.group_id, first=2)
    large = await _round_trips(api, first, PAGE, id=first.group_id, first=30)
    assert small == large
    # viewer, group, membership, members page, items page, one batch of users (the session is
    # remembered from the login: groupql.services.known_sessions)
    assert large == 6


async def test_a_page_read_again_reads_only_its_pages_while_nothing_else_changed(
    api: Api,
) -> None:
    members = [await join(api, f"user-{n}") for n in range(5)]
    for member in members:
        await member.say("hi")
    first = members[0]
    assert await _round_trips(api, first, PAGE, id=first.group_id, first=5) == 6
    # Another page size (the response cache does not have it): the viewer, the group, the
    # membership and the users were kept (groupql.store.kept_reads); the pages are queries.
    api.round_trips.reset()
    await first.data(PAGE, id=first.group_id, first=4)
    assert sorted(api.round_trips.collections) == ["items", "members"]
    # A new nickname moves that user's version: the batch of users is read again.
    await members[2].data('mutation { updateProfile(input: {nickname: "Two"}) { id } }')
    api.round_trips.reset()
    page = await first.data(PAGE, id=first.group_id, first=3)
    assert sorted(api.round_trips.collections) == ["items", "members", "users"]
    assert page["group"]["members"]["edges"][2]["node"]["user"]["id"] == members[2].user_id


async def test_with_kept_reads_off_every_page_reads_everything(clock: Clock) -> None:
    async with api_on_test_store(clock, kept_reads="off") as api:
        members = [await join(api, f"user-{n}") for n in range(3)]
        for member in members:
            await member.say("hi")
        first = members[0]
        trips = []
        for size in (3, 2):  # another size each time: the response cache does not have it
            api.round_trips.reset()
            await first.data(PAGE, id=first.group_id, first=size)
            trips.append(sorted(api.round_trips.collections))
        assert trips[0] == trips[1] == ["groups", "items", "members", "members", "users", "users"]


async def test_my_groups_costs_the_same_round_trips_for_1_or_20_groups(api: Api) -> None:
    alice = await login(api, "alice")
    for n in range(20):
        await alice.join(f"G{n}")
    small = await _round_trips(api, alice, MY_GROUPS, first=1)
    large = await _round_trips(api, alice, MY_GROUPS, first=20)
    # viewer, memberships page, groups, one count of members for all groups
    assert small == large == 4


async def test_the_readme_walkthrough_query_checks_the_token_at_most_once(api: Api) -> None:
    alice = await join(api, "alice")
    query = """
    query($id: ID!) {
      viewer { id }
      myGroups(first: 20) { edges { node { id openGId title memberCount } } }
      group(id: $id) {
        members(first: 20) { edges { node { role user { id } } } }
        items(first: 20) { edges { node { seq author { id } } } }
      }
    }
    """
    await _round_trips(api, alice, query, id=alice.group_id)
    assert api.round_trips.collections.count("sessions") == 0  # remembered from the login
    # viewer; myGroups' memberships and their groups; the group (read at the same time as
    # those), membership, member count, members page, items page. Every member and author is
    # alice, whose user the request read first and kept (groupql.store.kept_reads).
    assert len(api.round_trips.commands) == 8


async def test_a_polls_voters_cost_one_read_however_many_voted(api: Api) -> None:
    members = [await join(api, f"user-{n}") for n in range(12)]
    first = members[0]
    lunch = await first.post(type="POLL", text="Lunch?", poll=poll("Yes", "No"))
    query = """
    query($id: ID!) {
      group(id: $id) { items(first: 1) { edges { node { poll { options { voters { id } } } } } } }
    }
    """
    # One voter who is not the viewer (whose user every request reads anyway, kept).
    await members[1].vote(lunch, ["1"])
    one_voter = await _round_trips(api, first, query, id=first.group_id)
    for member in [first, *members[2:]]:
        await member.vote(lunch, ["1"])
    twelve_voters = await _round_trips(api, first, query, id=first.group_id)
    assert one_voter == twelve_voters
