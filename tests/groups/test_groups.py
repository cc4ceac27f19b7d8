"""Reading groups: the viewer's groups, one group, and its members, page by page."""

from tests.actors import join, login
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
    alice = await login(api, "alice")
    for gid in ["G1", "G2", "G3"]:
        await alice.join(gid)
    await join(api, "bob", "G-OTHER")
    groups = (await alice.data(MY_GROUPS))["myGroups"]
    assert [edge["node"]["openGId"] for edge in groups["edges"]] == ["G3", "G2", "G1"]
    assert groups["pageInfo"]["hasNextPage"] is False


async def test_my_groups_pages_with_cursors(api: Api) -> None:
    alice = await login(api, "alice")
    for n in range(5):
        await alice.join(f"G{n}")
    seen: list[str] = []
    after = None
    while True:
        page = (await alice.data(MY_GROUPS, first=2, after=after))["myGroups"]
        seen += [edge["node"]["openGId"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["G4", "G3", "G2", "G1", "G0"]


async def test_members_page_in_join_order_across_pages(api: Api) -> None:
    members = [await join(api, f"user-{n}") for n in range(7)]
    first = members[0]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        group = (await first.data(MEMBERS, id=first.group_id, first=3, after=after))["group"]
        page = group["members"]
        seen += [edge["node"]["user"]["id"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == [member.user_id for member in members]


async def test_a_non_member_cannot_read_a_group(api: Api) -> None:
    alice = await join(api, "alice")
    mallory = await login(api, "mallory")
    body = await mallory.send(MEMBERS, id=alice.group_id)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_unknown_and_malformed_group_ids_are_not_found(api: Api) -> None:
    alice = await login(api, "alice")
    for group_id in ["0123456789abcdef01234567", "not-an-id"]:
        assert await alice.error_code(MEMBERS, id=group_id) == "NOT_FOUND"


async def test_pages_hold_20_rows_unless_asked_otherwise(api: Api) -> None:
    alice = await login(api, "alice")
    for n in range(21):
        await alice.join(f"G{n}")
    groups = (await alice.data(MY_GROUPS))["myGroups"]
    assert len(groups["edges"]) == 20
    assert groups["pageInfo"]["hasNextPage"] is True


async def test_reading_groups_needs_a_login(api: Api) -> None:
    alice = await join(api, "alice")
    assert await api.error_code(MY_GROUPS) == "UNAUTHENTICATED"
    assert await api.error_code(MEMBERS, {"id": alice.group_id}) == "UNAUTHENTICATED"


async def test_page_size_must_be_between_0_and_100(api: Api) -> None:
    alice = await login(api, "alice")
    for first in [-1, 101]:
        assert await alice.error_code(MY_GROUPS, first=first) == "BAD_USER_INPUT"
    assert (await alice.data(MY_GROUPS, first=0))["myGroups"]["edges"] == []


async def test_a_cursor_from_another_list_or_forged_is_bad_input(api: Api) -> None:
    alice = await join(api, "alice")
    groups = (await alice.data(MY_GROUPS))["myGroups"]
    foreign = groups["edges"][0]["cursor"]
    assert await alice.error_code(MEMBERS, id=alice.group_id, after=foreign) == "BAD_USER_INPUT"
    for forged in ["garbage", "bWVtYmVyczpub3QtYW4taWQ="]:  # the second: "members:not-an-id"
        assert await alice.error_code(MEMBERS, id=alice.group_id, after=forged) == "BAD_USER_INPUT"
