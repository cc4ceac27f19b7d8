"""The people of the tests: users who log in, and members who join a group and act in it.

`alice = await login(api, "alice")` logs in with the wx.login code "alice" (in dev mode the code
names the user); `bob = await join(api, "bob")` logs in and opens the share ticket of the chat
CHAT, whose group the first to join owns. Their methods send GraphQL as that person, and answer
with what a client would read: data that must come, or the error code of a refusal.
"""

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from groupql.wechat.code2session import dev_session_for_code
from groupql.wechat.crypto import encrypt_wechat_data
from tests.conftest import Api
from tests.groups.documents import CREATE_GROUP, MEMBER_COUNT, UPDATE_GROUP
from tests.invites.documents import CREATE_INVITE, JOIN_BY_INVITE
from tests.items.documents import ALBUM, DELETE, EDIT, FEED, PIN, PINNED, POST, ids
from tests.members.documents import (
    APPROVE,
    LEAVE,
    MEMBERS,
    MUTE,
    REJECT,
    REMOVE,
    SET_ROLE,
    TRANSFER,
    UNBAN,
    VIEWER_MEMBERSHIP,
)
from tests.polls.documents import VOTE

CHAT = "G1"
"""The openGId of the WeChat chat whose group a test's members join (each test has its own app)."""

LOGIN = "mutation($code: String!) { login(code: $code) { token expiresAt viewer { id openid } } }"
JOIN = """
mutation($encryptedData: String!, $iv: String!) {
  resolveShareTicket(encryptedData: $encryptedData, iv: $iv) {
    groupCreated
    group { id openGId kind chatType memberCount }
    member { id role status user { id } }
  }
}
"""


async def login(api: Api, code: str) -> "User":
    """Logs in with the wx.login `code`: in dev mode any code will do, and names the user."""
    logged_in = (await api.data(LOGIN, {"code": code}))["login"]
    return User(api, code, logged_in["token"], logged_in["viewer"]["id"])


async def join(api: Api, code: str, chat: str = CHAT) -> "Member":
    """`code` logs in and opens the share ticket of `chat`; the first to join its group owns it."""
    return await (await login(api, code)).join(chat)


async def join_in_order(api: Api, *codes: str) -> list["Member"]:
    """People joining the group of CHAT in order: the first owns it."""
    return [await join(api, code) for code in codes]


async def create_group(
    api: Api, code: str, title: str = "Hiking club", **settings: Any
) -> "Member":
    """`code` logs in and creates an app group, which they own."""
    return await (await login(api, code)).create_group(title, **settings)


@dataclass(frozen=True)
class User:
    """Someone logged in to the mini-program with the wx.login `code`."""

    api: Api
    code: str
    token: str
    user_id: str

    async def send(self, query: str, **variables: Any) -> dict[str, Any]:
        """The whole response to `query`: its data, its errors or both."""
        return await self.api.post(query, variables, token=self.token)

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """The data of `query`, which must succeed."""
        return await self.api.data(query, variables, token=self.token)

    async def error_code(self, query: str, **variables: Any) -> str:
        """The extensions.code of `query`, which must be refused."""
        return await self.api.error_code(query, variables, token=self.token)

    def through(self, api: Api) -> Self:
        """The same person talking to another app instance (of the same store and secret key)."""
        return dataclasses.replace(self, api=api)

    def encrypt(self, payload: dict[str, Any]) -> dict[str, str]:
        """`payload` as WeChat hands it to this dev-mode user's mini-program: encryptedData, iv."""
        session = dev_session_for_code(self.code, self.api.settings.wechat_appid)
        encrypted_data, iv = encrypt_wechat_data(payload, session.session_key)
        return {"encryptedData": encrypted_data, "iv": iv}

    def share_ticket(self, chat: str = CHAT) -> dict[str, str]:
        """What wx.getShareInfo gives this user for a card shared in the chat `chat`."""
        now = int(datetime.now(UTC).timestamp())
        watermark = {"appid": self.api.settings.wechat_appid, "timestamp": now}
        return self.encrypt({"openGId": chat, "watermark": watermark})

    async def join(self, chat: str = CHAT) -> "Member":
        """Opens the share ticket of `chat`: a member of its group (made for the first to come)."""
        joined = (await self.data(JOIN, **self.share_ticket(chat)))["resolveShareTicket"]
        return self._member_of(joined["group"]["id"], joined)

    async def join_by_invite(self, invite_code: str) -> "Member":
        joined = (await self.data(JOIN_BY_INVITE, code=invite_code))["joinByInvite"]
        return self._member_of(joined["group"]["id"], joined)

    async def create_group(self, title: str = "Hiking club", **settings: Any) -> "Member":
        """Creates an app group: its owner."""
        group = (await self.data(CREATE_GROUP, input={"title": title, **settings}))["createGroup"]
        return self._member_of(group["id"], group)

    def _member_of(self, group_id: str, joined: dict[str, Any]) -> "Member":
        return Member(self.api, self.code, self.token, self.user_id, group_id, joined)


@dataclass(frozen=True)
class Member(User):
    """A user in one group, acting in it and reading it."""

    group_id: str
    joined: dict[str, Any] = field(compare=False, repr=False)
    """What made them a member answered: resolveShareTicket, joinByInvite or createGroup."""

    def on(self, other: User) -> dict[str, str]:
        """The variables of a mutation this member makes on `other` in their group."""
        return {"groupId": self.group_id, "userId": other.user_id}

    async def update_group(self, **settings: Any) -> None:
        await self.data(UPDATE_GROUP, input={"groupId": self.group_id, **settings})

    async def member_count(self) -> int:
        return int((await self.data(MEMBER_COUNT, id=self.group_id))["group"]["memberCount"])

    async def roles(self) -> dict[str, str]:
        """Active members' roles by user id, as this member lists them."""
        group = (await self.data(MEMBERS, id=self.group_id))["group"]
        return {
            edge["node"]["user"]["id"]: edge["node"]["role"] for edge in group["members"]["edges"]
        }

    async def membership(self) -> dict[str, Any]:
        """Their own role, status and mute in the group."""
        group = (await self.data(VIEWER_MEMBERSHIP, id=self.group_id))["group"]
        membership: dict[str, Any] = group["viewerMembership"]
        return membership

    async def set_role(self, other: User, role: str) -> dict[str, Any]:
        return await self._moderate(SET_ROLE, other, role=role)

    async def transfer_ownership(self, to: User) -> dict[str, Any]:
        return await self._moderate(TRANSFER, to)

    async def remove(self, other: User, *, ban: bool = False) -> dict[str, Any]:
        return await self._moderate(REMOVE, other, ban=ban)

    async def unban(self, other: User) -> dict[str, Any]:
        return await self._moderate(UNBAN, other)

    async def mute(self, other: User, until: datetime | None) -> dict[str, Any]:
        """Mutes `other` until `until`; None unmutes."""
        return await self._moderate(MUTE, other, until=None if until is None else until.isoformat())

    async def approve(self, other: User) -> dict[str, Any]:
        return await self._moderate(APPROVE, other)

    async def reject(self, other: User) -> dict[str, Any]:
        return await self._moderate(REJECT, other)

    async def leave(self) -> dict[str, Any]:
        left: dict[str, Any] = (await self.data(LEAVE, groupId=self.group_id))["leaveGroup"]
        return left

    async def create_invite(self, **limits: Any) -> dict[str, Any]:
        data = await self.data(CREATE_INVITE, groupId=self.group_id, **limits)
        invite: dict[str, Any] = data["createInvite"]
        return invite

    async def post(self, **item: Any) -> dict[str, Any]:
        posted: dict[str, Any] = (await self.data(POST, input=self._item(item)))["postItem"]
        return posted

    async def post_error(self, **item: Any) -> str:
        """The error code of posting `item`, which must be refused."""
        return await self.error_code(POST, input=self._item(item))

    async def say(self, text: str, **item: Any) -> dict[str, Any]:
        """Posts `text`, as a TEXT item (the type an item has unless it says otherwise)."""
        return await self.post(text=text, **item)

    async def edit(self, item: dict[str, Any], text: str) -> dict[str, Any]:
        edited: dict[str, Any] = (await self.data(EDIT, itemId=item["id"], text=text))["editItem"]
        return edited

    async def delete(self, item: dict[str, Any]) -> dict[str, Any]:
        deleted: dict[str, Any] = (await self.data(DELETE, itemId=item["id"]))["deleteItem"]
        return deleted

    async def pin(self, item: dict[str, Any], pinned: bool = True) -> list[str]:
        """Pins (or unpins) `item`: the ids of the group's pinned items after."""
        group = (await self.data(PIN, itemId=item["id"], pinned=pinned))["pinItem"]
        return ids(group["pinnedItems"])

    async def pinned_ids(self) -> list[str]:
        return ids((await self.data(PINNED, id=self.group_id))["group"]["pinnedItems"])

    async def vote(self, item: dict[str, Any], option_ids: list[str]) -> dict[str, Any]:
        """Casts a ballot (or with [] withdraws it): the poll after."""
        voted = await self.data(VOTE, itemId=item["id"], optionIds=option_ids)
        poll: dict[str, Any] = voted["vote"]["poll"]
        return poll

    async def feed(self, **arguments: Any) -> list[dict[str, Any]]:
        """The group's items, newest first (up to 100), filtered by `arguments`."""
        group = (await self.data(FEED, id=self.group_id, first=100, **arguments))["group"]
        return [edge["node"] for edge in group["items"]["edges"]]

    async def album(self, first: int | None = None, after: str | None = None) -> dict[str, Any]:
        group = (await self.data(ALBUM, id=self.group_id, first=first, after=after))["group"]
        album: dict[str, Any] = group["album"]
        return album

    async def _moderate(self, document: str, other: User, **extra: Any) -> dict[str, Any]:
        [result] = (await self.data(document, **self.on(other), **extra)).values()
        member: dict[str, Any] = result
        return member

    def _item(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"groupId": self.group_id, **item}
