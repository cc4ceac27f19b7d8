"""Reading groups: the viewer's groups, one group, and its members, page by page."""

from tests.conftest import Api

MY_GROUPS = """
query($first: Int, $after: String) {
  myGroups(first: $first, after: $after) {
    edges { cursor node { id openGId title memberCount } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
MEMBERS = """
query($id: ID!, $first: Int, $after: String) {
  group(id: $id) {
    members(first: $first, after: $after) {
      edges { cursor node { role user { id } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


async def test_my_groups_lists_the_viewers_groups_newest_join_first(api: Api) -> None:
    for gid in ["G1", "G2", "G3"]:
        await api.join("alice", gid)
    await api.join("bob", "G-OTHER")
    token = await api.login_as("alice")
    groups = (await api.data(MY_GROUPS, token=token))["myGroups"]
    assert [edge["node"]["openGId"] for edge in groups["edges"]] == ["G3", "G2", "G1"]
    assert groups["pageInfo"]["hasNextPage"] is False


async def test_my_groups_pages_with_cursors(api: Api) -> None:
    for n in range(5):
        await api.join("alice", f"G{n}")
    token = await api.login_as("alice")
    seen: list[str] = []
    after = None
    while True:
        page = (await api.data(MY_GROUPS, {"first": 2, "after": after}, token=token))["myGroups"]
        seen += [edge["node"]["openGId"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["G4", "G3", "G2", "G1", "G0"]


async def test_members_page_in_join_order_across_pages(api: Api) -> None:
    codes = [f"user-{n}" for n in range(7)]
    joins = [await api.join(code, "G1") for code in codes]
    token = await api.login_as("user-0")
    group_id = joins[0]["group"]["id"]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        variables = {"id": group_id, "first": 3, "after": after}
        page = (await api.data(MEMBERS, variables, token=token))["group"]["members"]
        seen += [edge["node"]["user"]["id"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == [join["member"]["user"]["id"] for join in joins]


async def test_a_non_member_cannot_read_a_group(api: Api) -> None:
    alice = await api.join("alice", "G1")
    mallory = await api.login_as("mallory")
    body = await api.post(MEMBERS, {"id": alice["group"]["id"]}, token=mallory)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_unknown_and_malformed_group_ids_are_not_found(api: Api) -> None:
    token = await api.login_as("alice")
    for group_id in ["0123456789abcdef01234567", "not-an-id"]:
        assert await api.error_code(MEMBERS, {"id": group_id}, token=token) == "NOT_FOUND"


async def test_pages_hold_20_rows_unless_asked_otherwise(api: Api) -> None:
    for n in range(21):
        await api.join("alice", f"G{n}")
    token = await api.login_as("alice")
    groups = (await api.data(MY_GROUPS, token=token))["myGroups"]
    assert len(groups["edges"]) == 20
    assert groups["pageInfo"]["hasNextPage"] is True


async def test_reading_groups_needs_a_login(api: Api) -> None:
    joined = await api.join("alice", "G1")
    assert await api.error_code(MY_GROUPS) == "UNAUTHENTICATED"
    assert await api.error_code(MEMBERS, {"id": joined["group"]["id"]}) == "UNAUTHENTICATED"


async def test_page_size_must_be_between_0_and_100(api: Api) -> None:
    token = await api.login_as("alice")
    for first in [-1, 101]:
        assert await api.error_code(MY_GROUPS, {"first": first}, token=token) == "BAD_USER_INPUT"
    assert (await api.data(MY_GROUPS, {"first": 0}, token=token))["myGroups"]["edges"] == []


async def test_a_cursor_from_another_list_or_forged_is_bad_input(api: Api) -> None:
    joined = await api.join("alice", "G1")
    token = await api.login_as("alice")
    groups = (await api.data(MY_GROUPS, token=token))["myGroups"]
    foreign = groups["edges"][0]["cursor"]
    variables = {"id": joined["group"]["id"], "after": foreign}
    assert await api.error_code(MEMBERS, variables, token=token) == "BAD_USER_INPUT"
    for forged in ["garbage", "bWVtYmVyczpub3QtYW4taWQ="]:  # the second: "members:not-an-id"
        variables = {"id": joined["group"]["id"], "after": forged}
        assert await api.error_code(MEMBERS, variables, token=token) == "BAD_USER_INPUT"
