"""People in test groups: logged-in users, members of a chat's group, and the documents that
manage membership."""

from dataclasses import dataclass
from typing import Any, Self

from tests.conftest import JOIN, LOGIN, Api

CHAT = "G1"
"""The openGId of the WeChat chat whose group a test's members join (each test has its own app)."""

SET_ROLE = """
mutation($groupId: ID!, $userId: ID!, $role: Role!) {
  setMemberRole(groupId: $groupId, userId: $userId, role: $role) { role status user { id } }
}
"""
TRANSFER = """
mutation($groupId: ID!, $userId: ID!) {
  transferOwnership(groupId: $groupId, userId: $userId) { id }
}
"""
REMOVE = """
mutation($groupId: ID!, $userId: ID!, $ban: Boolean! = false) {
  removeMember(groupId: $groupId, userId: $userId, ban: $ban) { status user { id } }
}
"""
UNBAN = """
mutation($groupId: ID!, $userId: ID!) { unbanMember(groupId: $groupId, userId: $userId) { status } }
"""
MUTE = """
mutation($groupId: ID!, $userId: ID!, $until: DateTime) {
  muteMember(groupId: $groupId, userId: $userId, until: $until) { isMuted mutedUntil }
}
"""
APPROVE = """
mutation($groupId: ID!, $userId: ID!) {
  approveMember(groupId: $groupId, userId: $userId) { status }
}
"""
LEAVE = "mutation($groupId: ID!) { leaveGroup(groupId: $groupId) { status } }"
UPDATE_GROUP = "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id } }"
MEMBER_COUNT = "query($id: ID!) { group(id: $id) { memberCount } }"


@dataclass(frozen=True)
class User:
    """Someone logged in to the mini-program with the wx.login `code`."""

    api: Api
    code: str
    token: str
    user_id: str

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        return await self.api.data(query, variables, token=self.token)

    async def error_code(self, query: str, **variables: Any) -> str:
        return await self.api.error_code(query, variables, token=self.token)


@dataclass(frozen=True)
class Member(User):
    """A user in the group of a WeChat chat, joined by opening the chat's share ticket."""

    group_id: str

    @classmethod
    async def join(cls, api: Api, code: str, open_gid: str = CHAT) -> Self:
        """`code` logs in and opens the share ticket of `open_gid`; the first to join owns it."""
        token = await api.login_as(code)
        joined = await api.data(JOIN, api.share_ticket(code, open_gid), token=token)
        ticket = joined["resolveShareTicket"]
        return cls(api, code, token, ticket["member"]["user"]["id"], ticket["group"]["id"])


async def login(api: Api, code: str) -> User:
    logged_in = (await api.data(LOGIN, {"code": code}))["login"]
    return User(api, code, logged_in["token"], logged_in["viewer"]["id"])


async def join_in_order(api: Api, *codes: str) -> list[Member]:
    """People joining one chat's group in order: the first owns it."""
    return [await Member.join(api, code) for code in codes]


async def token_and_ids(api: Api, code: str, open_gid: str = CHAT) -> tuple[str, str, str]:
    """Joins `code` to the chat `open_gid`: their token, the group's id and their user id."""
    member = await Member.join(api, code, open_gid)
    return member.token, member.group_id, member.user_id


async def update_group(api: Api, admin: User, group_id: str, **settings: Any) -> None:
    await api.data(UPDATE_GROUP, {"input": {"groupId": group_id, **settings}}, token=admin.token)
