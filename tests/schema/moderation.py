"""Helpers of the moderation tests: one member acting on another, and what members then see."""

from typing import Any

from tests.conftest import JOIN, Api
from tests.members import CHAT, Member, update_group

GROUP = """
query($id: ID!, $status: MemberStatus = ACTIVE) {
  group(id: $id) {
    memberCount
    members(first: 100, status: $status) { edges { node { role status user { id } } } }
  }
}
"""
VIEWER_MEMBERSHIP = """
query($id: ID!) { group(id: $id) { viewerMembership { role status isMuted mutedUntil } } }
"""
FEED = "query($id: ID!) { group(id: $id) { items(first: 10) { edges { node { text } } } } }"
POST = """
mutation($groupId: ID!, $text: String) {
  postItem(input: {groupId: $groupId, text: $text}) { text }
}
"""


async def rejoin_status(api: Api, person: Member) -> str:
    body = await api.data(JOIN, api.share_ticket(person.code, CHAT), token=person.token)
    status: str = body["resolveShareTicket"]["member"]["status"]
    return status


async def rejoin_error(api: Api, person: Member) -> str:
    return await api.error_code(JOIN, api.share_ticket(person.code, CHAT), token=person.token)


async def act(api: Api, document: str, by: Member, on: Member, **extra: Any) -> dict[str, Any]:
    """The raw response of `by` running a moderation mutation on `on`."""
    return await api.post(
        document, {"groupId": by.group_id, "userId": on.user_id, **extra}, token=by.token
    )


async def ok(api: Api, document: str, by: Member, on: Member, **extra: Any) -> dict[str, Any]:
    body = await act(api, document, by, on, **extra)
    assert "errors" not in body, body["errors"]
    [result] = body["data"].values()
    member: dict[str, Any] = result
    return member


async def refusal(api: Api, document: str, by: Member, on: Member, **extra: Any) -> str:
    body = await act(api, document, by, on, **extra)
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def roles_seen_by(api: Api, viewer: Member) -> dict[str, str]:
    """Active members' roles by user id, as `viewer` lists them."""
    group = (await api.data(GROUP, {"id": viewer.group_id}, token=viewer.token))["group"]
    edges = group["members"]["edges"]
    return {edge["node"]["user"]["id"]: edge["node"]["role"] for edge in edges}


async def member_count(api: Api, viewer: Member) -> int:
    group = (await api.data(GROUP, {"id": viewer.group_id}, token=viewer.token))["group"]
    count: int = group["memberCount"]
    return count


async def viewer_membership(api: Api, viewer: Member) -> dict[str, Any]:
    data = await api.data(VIEWER_MEMBERSHIP, {"id": viewer.group_id}, token=viewer.token)
    membership: dict[str, Any] = data["group"]["viewerMembership"]
    return membership


async def post_error(api: Api, author: Member) -> str:
    variables = {"groupId": author.group_id, "text": "hello"}
    return await api.error_code(POST, variables, token=author.token)


async def posts(api: Api, author: Member) -> None:
    await api.data(POST, {"groupId": author.group_id, "text": "hello"}, token=author.token)


async def set_join_policy(api: Api, admin: Member, policy: str) -> None:
    await update_group(api, admin, admin.group_id, joinPolicy=policy)
