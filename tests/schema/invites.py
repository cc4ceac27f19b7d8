"""Helpers of the invitation tests: app groups, invitations to them, and joining by one."""

from typing import Any

from tests.conftest import Api
from tests.members import MEMBER_COUNT, User

CREATE_GROUP = """
mutation($title: String!) {
  createGroup(input: {title: $title}) {
    id kind openGId title joinPolicy memberCount
    viewerMembership { role status user { id } }
  }
}
"""
CREATE_INVITE = """
mutation($groupId: ID!, $maxUses: Int, $expiresAt: DateTime) {
  createInvite(groupId: $groupId, maxUses: $maxUses, expiresAt: $expiresAt) {
    id code maxUses uses expiresAt revokedAt createdAt createdBy { id }
  }
}
"""
JOIN_BY_INVITE = """
mutation($code: String!) {
  joinByInvite(code: $code) {
    groupCreated
    group { id kind memberCount }
    member { id role status user { id } }
  }
}
"""
REVOKE_INVITE = """
mutation($inviteId: ID!) { revokeInvite(inviteId: $inviteId) { id revokedAt } }
"""
INVITES = """
query($id: ID!) {
  group(id: $id) { invites { edges { node { id code uses maxUses revokedAt } } } }
}
"""


async def create_group(api: Api, owner: User, title: str = "Hiking club") -> str:
    group = (await api.data(CREATE_GROUP, {"title": title}, token=owner.token))["createGroup"]
    group_id: str = group["id"]
    return group_id


async def create_invite(api: Api, creator: User, group_id: str, **limits: Any) -> dict[str, Any]:
    data = await api.data(CREATE_INVITE, {"groupId": group_id, **limits}, token=creator.token)
    invite: dict[str, Any] = data["createInvite"]
    return invite


async def join_by_invite(api: Api, person: User, code: str) -> dict[str, Any]:
    data = await api.data(JOIN_BY_INVITE, {"code": code}, token=person.token)
    joined: dict[str, Any] = data["joinByInvite"]
    return joined


async def invite_uses(api: Api, admin: User, group_id: str, invite_id: str) -> int:
    edges = (await api.data(INVITES, {"id": group_id}, token=admin.token))["group"]["invites"]
    [uses] = [edge["node"]["uses"] for edge in edges["edges"] if edge["node"]["id"] == invite_id]
    return int(uses)


async def member_count(api: Api, member: User, group_id: str) -> int:
    data = await api.data(MEMBER_COUNT, {"id": group_id}, token=member.token)
    return int(data["group"]["memberCount"])
