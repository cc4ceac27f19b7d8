"""Posting text items and reading a group's feed."""

import asyncio
import base64

from tests.conftest import Api

POST = """
mutation($groupId: ID!, $text: String) {
  postItem(input: {groupId: $groupId, text: $text}) { id seq type text author { id } createdAt }
}
"""
FEED = """
query($id: ID!, $first: Int, $after: String) {
  group(id: $id) {
    lastSeq
    items(first: $first, after: $after) {
      edges { cursor node { seq text author { id } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


async def _member(api: Api, code: str, gid: str = "G1") -> tuple[str, str]:
    joined = await api.join(code, gid)
    return await api.login_as(code), joined["group"]["id"]


async def test_a_member_posts_text_with_increasing_seq(api: Api) -> None:
    token, group_id = await _member(api, "alice")
    first = (await api.data(POST, {"groupId": group_id, "text": "hello"}, token=token))["postItem"]
    second = (await api.data(POST, {"groupId": group_id, "text": "again"}, token=token))["postItem"]
    assert (first["seq"], first["type"], first["text"]) == (1, "TEXT", "hello")
    assert second["seq"] == 2
    viewer = (await api.data("{ viewer { id } }", token=token))["viewer"]
    assert first["author"]["id"] == viewer["id"]


async def test_concurrent_posts_get_distinct_strictly_increasing_seqs(api: Api) -> None:
    alice, group_id = await _member(api, "alice")
    bob, _ = await _member(api, "bob")
    posts = await asyncio.gather(
        *(
            api.data(POST, {"groupId": group_id, "text": f"m{n}"}, token=(alice, bob)[n % 2])
            for n in range(40)
        )
    )
    assert sorted(post["postItem"]["seq"] for post in posts) == list(range(1, 41))
    feed = (await api.data(FEED, {"id": group_id, "first": 100}, token=alice))["group"]
    assert feed["lastSeq"] == 40
    assert [edge["node"]["seq"] for edge in feed["items"]["edges"]] == list(range(40, 0, -1))


async def test_feed_pages_newest_first_and_cursors_stay_stable_while_items_arrive(
    api: Api,
) -> None:
    token, group_id = await _member(api, "alice")
    for n in range(1, 6):
        await api.data(POST, {"groupId": group_id, "text": f"m{n}"}, token=token)
    page = (await api.data(FEED, {"id": group_id, "first": 2}, token=token))["group"]["items"]
    assert [edge["node"]["text"] for edge in page["edges"]] == ["m5", "m4"]
    await api.data(POST, {"groupId": group_id, "text": "m6"}, token=token)
    variables = {"id": group_id, "first": 2, "after": page["pageInfo"]["endCursor"]}
    page = (await api.data(FEED, variables, token=token))["group"]["items"]
    assert [edge["node"]["text"] for edge in page["edges"]] == ["m3", "m2"]
    variables["after"] = page["pageInfo"]["endCursor"]
    page = (await api.data(FEED, variables, token=token))["group"]["items"]
    assert [edge["node"]["text"] for edge in page["edges"]] == ["m1"]
    assert page["pageInfo"]["hasNextPage"] is False


async def test_a_non_member_cannot_post(api: Api) -> None:
    _, group_id = await _member(api, "alice")
    mallory = await api.login_as("mallory")
    code = await api.error_code(POST, {"groupId": group_id, "text": "spam"}, token=mallory)
    assert code == "FORBIDDEN"


async def test_text_must_be_present_and_within_the_limit(api: Api) -> None:
    token, group_id = await _member(api, "alice")
    limit = api.settings.max_text_length
    for text in [None, "", "   ", "x" * (limit + 1)]:
        variables = {"groupId": group_id, "text": text}
        assert await api.error_code(POST, variables, token=token) == "BAD_USER_INPUT"
    at_limit = {"groupId": group_id, "text": "x" * limit}
    assert (await api.data(POST, at_limit, token=token))["postItem"]["seq"] == 1


async def test_posting_needs_a_login(api: Api) -> None:
    _, group_id = await _member(api, "alice")
    assert await api.error_code(POST, {"groupId": group_id, "text": "hi"}) == "UNAUTHENTICATED"


async def test_a_forged_feed_cursor_is_bad_input(api: Api) -> None:
    token, group_id = await _member(api, "alice")
    for position in ["²", "9" * 40, "-1", ""]:
        forged = base64.urlsafe_b64encode(f"items:{position}".encode()).decode()
        variables = {"id": group_id, "after": forged}
        assert await api.error_code(FEED, variables, token=token) == "BAD_USER_INPUT"


async def test_posting_to_an_unknown_group_is_not_found(api: Api) -> None:
    token = await api.login_as("alice")
    variables = {"groupId": "0123456789abcdef01234567", "text": "hi"}
    assert await api.error_code(POST, variables, token=token) == "NOT_FOUND"
