"""Group types: the group, its settings, its members, and the inputs that change them."""

from datetime import datetime

import strawberry

from groupql.resolvers import Info
from groupql.resolvers import groups as group_resolvers
from groupql.resolvers import invites as invite_resolvers
from groupql.resolvers import items as item_resolvers
from groupql.schema.connection import Connection
from groupql.schema.invite import Invite
from groupql.schema.item import AlbumEntry, GroupItem, Media
from groupql.schema.user import User
from groupql.store import records

strawberry.enum(records.GroupKind, description="What kind of chat the group is for.")
strawberry.enum(records.Role, description="A member's role in a group.")
strawberry.enum(records.MemberStatus, description="Where a membership stands.")
strawberry.enum(records.JoinPolicy, description="Who may join: anyone, with approval, nobody.")
strawberry.enum(records.PostPolicy, description="Who may post: every member, or admins only.")


@strawberry.type(description="A user's membership of a group.")
class Member:
    id: strawberry.ID
    role: records.Role
    status: records.MemberStatus
    joined_at: datetime
    group_openid: str | None = strawberry.field(
        description="The user's room-scoped id from wx.getGroupEnterInfo, when it was given."
    )
    muted_until: datetime | None
    record: strawberry.Private[records.Member]

    @strawberry.field
    async def user(self, info: Info) -> User:
        return User.of(await group_resolvers.user(info, self.record.user_id))

    @strawberry.field(description="Whether the member may not post right now.")
    def is_muted(self, info: Info) -> bool:
        return info.context.services.membership.is_muted(self.record)

    @classmethod
    def of(cls, member: records.Member) -> "Member":
        return cls(
            id=strawberry.ID(member.id),
            role=member.role,
            status=member.status,
            joined_at=member.joined_at,
            group_openid=member.group_openid,
            muted_until=member.muted_until,
            record=member,
        )


@strawberry.type
class Announcement:
    text: str
    updated_at: datetime
    author_id: strawberry.Private[str]

    @strawberry.field
    async def author(self, info: Info) -> User:
        return User.of(await group_resolvers.user(info, self.author_id))


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
    join_policy: records.JoinPolicy
    post_policy: records.PostPolicy
    allowed_item_types: list[records.ItemType]
    members_can_invite: bool
    members_can_pin: bool
    created_at: datetime
    record: strawberry.Private[records.Group]

    @strawberry.field(description="The admins' announcement (members only).")
    async def announcement(self, info: Info) -> Announcement | None:
        announcement = await group_resolvers.announcement(info, self.record)
        if announcement is None:
            return None
        return Announcement(
            text=announcement.text,
            updated_at=announcement.updated_at,
            author_id=announcement.author_id,
        )

    @strawberry.field(description="How many active members the group has.")
    async def member_count(self, info: Info) -> int:
        return await group_resolvers.member_count(info, self.record)

    @strawberry.field(description="The seq of the newest item (0 when there is none).")
    async def last_seq(self, info: Info) -> int:
        return await item_resolvers.last_seq(info, self.record)

    @strawberry.field(description="The viewer's own membership (also while it is pending).")
    async def viewer_membership(self, info: Info) -> Member | None:
        member = await group_resolvers.viewer_membership(info, self.record)
        return Member.of(member) if member else None

    @strawberry.field(description="Members in join order; only admins list other statuses.")
    async def members(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: records.MemberStatus = records.MemberStatus.ACTIVE,
    ) -> Connection[Member]:
        page = await group_resolvers.members(info, self.record, status, first, after)
        return Connection.of(page, Member.of)

    @strawberry.field(description="The feed, newest first; deleted items stay as tombstones.")
    async def items(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        types: list[records.ItemType] | None = None,
        before_seq: int | None = None,
    ) -> Connection[GroupItem]:
        page = await item_resolvers.items(info, self.record, first, after, types, before_seq)
        return Connection.of(page, GroupItem.of)

    @strawberry.field(description="Pinned items, in the order they were pinned.")
    async def pinned_items(self, info: Info) -> list[GroupItem]:
        return [GroupItem.of(item) for item in await item_resolvers.pinned_items(info, self.record)]

    @strawberry.field(description="The photos and videos of the group, newest first.")
    async def album(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AlbumEntry]:
        page = await item_resolvers.album(info, self.record, first, after)
        return Connection.of(
            page,
            lambda entry: AlbumEntry(
                item=GroupItem.of(entry.item), media=Media.of(entry.media), index=entry.index
            ),
        )

    @strawberry.field(description="Invitations, newest first (admins).")
    async def invites(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Invite]:
        page = await invite_resolvers.invites(info, self.record, first, after)
        return Connection.of(page, Invite.of)

    @classmethod
    def of(cls, group: records.Group) -> "Group":
        settings = group.settings
        return cls(
            id=strawberry.ID(group.id),
            open_g_id=group.open_gid,
            kind=group.kind,
            chat_type=group.chat_type,
            title=group.title,
            join_policy=settings.join_policy,
            post_policy=settings.post_policy,
            allowed_item_types=[t for t in records.ItemType if t in settings.allowed_item_types],
            members_can_invite=settings.members_can_invite,
            members_can_pin=settings.members_can_pin,
            created_at=group.created_at,
            record=group,
        )


@strawberry.input(description="Only the fields given change; null clears title or announcement.")
class UpdateGroupInput:
    group_id: strawberry.ID
    title: str | None = strawberry.UNSET
    announcement: str | None = strawberry.UNSET
    join_policy: records.JoinPolicy | None = None
    post_policy: records.PostPolicy | None = None
    allowed_item_types: list[records.ItemType] | None = None
    members_can_invite: bool | None = None
    members_can_pin: bool | None = None

    def changes(self) -> records.GroupChanges:
        announcement = self.announcement
        return records.GroupChanges(
            title=records.UNCHANGED if self.title is strawberry.UNSET else self.title,
            announcement=records.UNCHANGED if announcement is strawberry.UNSET else announcement,
            join_policy=self.join_policy,
            post_policy=self.post_policy,
            allowed_item_types=None
            if self.allowed_item_types is None
            else frozenset(self.allowed_item_types),
            members_can_invite=self.members_can_invite,
            members_can_pin=self.members_can_pin,
        )


@strawberry.input
class CreateGroupInput:
    title: str
    join_policy: records.JoinPolicy = records.JoinPolicy.OPEN
