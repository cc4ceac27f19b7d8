"""Group types: the group, its members, and the connections that page them."""

from datetime import datetime

import strawberry

from groupql.resolvers import Info
from groupql.resolvers import groups as group_resolvers
from groupql.resolvers import items as item_resolvers
from groupql.schema.connection import Connection
from groupql.schema.item import GroupItem
from groupql.schema.user import User
from groupql.store import records

strawberry.enum(records.GroupKind, description="What kind of chat the group is for.")
strawberry.enum(records.Role, description="A member's role in a group.")
strawberry.enum(records.MemberStatus)


@strawberry.type(description="A user's membership of a group.")
class Member:
    id: strawberry.ID
    role: records.Role
    status: records.MemberStatus
    joined_at: datetime
    group_openid: str | None = strawberry.field(
        description="The user's room-scoped id from wx.getGroupEnterInfo, when it was given."
    )
    user_id: strawberry.Private[str]

    @strawberry.field
    async def user(self, info: Info) -> User:
        return User.of(await group_resolvers.user(info, self.user_id))

    @classmethod
    def of(cls, member: records.Member) -> "Member":
        return cls(
            id=strawberry.ID(member.id),
            role=member.role,
            status=member.status,
            joined_at=member.joined_at,
            group_openid=member.group_openid,
            user_id=member.user_id,
        )


@strawberry.type(
    description=(
        "A group's shared space. WeChat never tells servers a group's name: render it with "
        '<open-data type="groupName" open-gid="{openGId}">, or show `title`.'
    )
)
class Group:
    id: strawberry.ID
    open_g_id: str | None = strawberry.field(
        name="openGId", description="The WeChat chat's openGId (null for app groups)."
    )
    kind: records.GroupKind
    chat_type: int | None = strawberry.field(description="WeChat's chat_type, when it gave one.")
    title: str | None
    created_at: datetime
    record: strawberry.Private[records.Group]

    @strawberry.field(description="How many active members the group has.")
    async def member_count(self, info: Info) -> int:
        return await group_resolvers.member_count(info, self.record)

    @strawberry.field(description="The seq of the newest item (0 when there is none).")
    async def last_seq(self, info: Info) -> int:
        return await item_resolvers.last_seq(info, self.record)

    @strawberry.field
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Member]:
        page = await group_resolvers.members(info, self.record, first, after)
        return Connection.of(page, Member.of)

    @strawberry.field(description="The feed, newest first.")
    async def items(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[GroupItem]:
        page = await item_resolvers.items(info, self.record, first, after)
        return Connection.of(page, GroupItem.of)

    @classmethod
    def of(cls, group: records.Group) -> "Group":
        return cls(
            id=strawberry.ID(group.id),
            open_g_id=group.open_gid,
            kind=group.kind,
            chat_type=group.chat_type,
            title=group.title,
            created_at=group.created_at,
            record=group,
        )
