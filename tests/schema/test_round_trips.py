"""A page costs a fixed number of store round trips, whatever its size (no N+1)."""

from tests.conftest import Api

PAGE = """
query($id: ID!, $first: Int) {
  group(id: $id) {
    members(first: $first) { edges { node { role user { id } } } }
    items(first: $first) { edges { node { seq author { id } } } }
  }
}
"""
MY_GROUPS = "query($first: Int) { myGroups(first: $first) { edges { node { id memberCount } } } }"


async def _round_trips(api: Api, query: str, variables: dict[str, object], token: str) -> int:
    api.round_trips.reset()
    await api.data(query, variables, token=token)
    return len(api.round_trips.commands)


async def test_a_group_page_costs_the_same_round_trips_for_2_or_30_rows(api: Api) -> None:
    codes = [f"user-{n}" for n in range(30)]
    joins = [await api.join(code, "G1") for code in codes]
    group_id = joins[0]["group"]["id"]
    tokens = [await api.login_as(code) for code in codes]
    for token in tokens:
        await api.data(
            'mutation($g: ID!) { postItem(input: {groupId: $g, text: "hi"}) { seq } }',
            {"g": group_id},
            token=token,
        )
    small = await _round_trips(api, PAGE, {"id": group_id, "first": 2}, tokens[0])
    large = await _round_trips(api, PAGE, {"id": group_id, "first": 30}, tokens[0])
    assert small == large
    # session, viewer, group, membership, members page, items page, one batch of users
    assert large == 7


async def test_my_groups_costs_the_same_round_trips_for_1_or_20_groups(api: Api) -> None:
    for n in range(20):
        await api.join("alice", f"G{n}")
    token = await api.login_as("alice")
    small = await _round_trips(api, MY_GROUPS, {"first": 1}, token)
    large = await _round_trips(api, MY_GROUPS, {"first": 20}, token)
    # session, viewer, memberships page, groups, one count of members for all groups
    assert small == large == 5


async def test_the_readme_walkthrough_query_checks_the_token_once(api: Api) -> None:
    joined = await api.join("alice", "G1")
    token = await api.login_as("alice")
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
    await _round_trips(api, query, {"id": joined["group"]["id"]}, token)
    assert api.round_trips.collections.count("sessions") == 1
    assert len(api.round_trips.commands) == 10


async def test_a_polls_voters_cost_one_read_however_many_voted(api: Api) -> None:
    codes = [f"user-{n}" for n in range(12)]
    joins = [await api.join(code, "G1") for code in codes]
    group_id = joins[0]["group"]["id"]
    tokens = [await api.login_as(code) for code in codes]
    poll = (
        await api.data(
            'mutation($g: ID!) { postItem(input: {groupId: $g, type: POLL, text: "Lunch?", '
            'poll: {options: ["Yes", "No"]}}) { id } }',
            {"g": group_id},
            token=tokens[0],
        )
    )["postItem"]
    vote = 'mutation($i: ID!) { vote(itemId: $i, optionIds: ["1"]) { id } }'
    query = """
    query($id: ID!) {
      group(id: $id) { items(first: 1) { edges { node { poll { options { voters { id } } } } } } }
    }
    """
    await api.data(vote, {"i": poll["id"]}, token=tokens[0])
    one_voter = await _round_trips(api, query, {"id": group_id}, tokens[0])
    for token in tokens[1:]:
        await api.data(vote, {"i": poll["id"]}, token=token)
    twelve_voters = await _round_trips(api, query, {"id": group_id}, tokens[0])
    assert one_voter == twelve_voters
