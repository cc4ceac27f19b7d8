"""Memberships: a user's place in a group, and what joining one gives back."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from groupql import records
from groupql.context import Info
from groupql.schema.serving import serve, serves
from groupql.schema.users import User, user_of
from groupql.services.membership import JoinResult as JoinRecord

if TYPE_CHECKING:
    from groupql.schema.groups import Group

strawberry.enum(records.Role, description="A member's role in a group.")
strawberry.enum(records.MemberStatus, description="Where a membership stands.")
strawberry.enum(
    records.NotificationLevel,
    description="What you hear of a group: ALL (every new item, also as a digest message), "
    "MENTIONS (what concerns you; the default) or NONE.",
)


@serves(records.Member)
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
    display_name: str | None = strawberry.field(
        description="The name the member goes by in this group (群昵称); show it over the nickname."
    )

    user: User = strawberry.field(resolver=user_of("user_id"))

    @strawberry.field(
        description="What the member hears of the group; only for the viewer's own membership."
    )
    @staticmethod
    async def notification_level(
        root: strawberry.Parent[records.Member], info: Info
    ) -> records.NotificationLevel | None:
        viewer = await info.context.viewer()
        return root.notification_level if root.user_id == viewer.id else None

    @strawberry.field(
        description="Whether the member's WeChat steps show in the group's rankings "
        "(setRankingOptIn); only for the viewer's own membership."
    )
    @staticmethod
    async def ranks_steps(root: strawberry.Parent[records.Member], info: Info) -> bool | None:
        viewer = await info.context.viewer()
        return root.ranks_steps if root.user_id == viewer.id else None

    @strawberry.field(description="Whether the member may not post right now.")
    @staticmethod
    def is_muted(root: strawberry.Parent[records.Member], info: Info) -> bool:
        return info.context.services.membership.is_muted(root)


@serves(JoinRecord)
@strawberry.type
class JoinResult:
    group: Annotated["Group", strawberry.lazy("groupql.schema.groups")]
    member: Member = strawberry.field(description="The viewer's membership of the group.")
    group_created: bool = strawberry.field(description="True for the one join that made the group.")


@strawberry.type
class MemberMutation:
    @strawberry.mutation(
        description="Set the name you go by in a group (群昵称, 1-32 characters); null clears it."
    )
    async def set_display_name(
        self, info: Info, group_id: strawberry.ID, display_name: str | None
    ) -> Member:
        viewer = await info.context.viewer()
        member = await info.context.services.profiles.set_display_name(
            viewer, group_id, display_name
        )
        return serve(Member, member)

    @strawberry.mutation(description="Set what you hear of a group (Member.notificationLevel).")
    async def set_notification_level(
        self, info: Info, group_id: strawberry.ID, level: records.NotificationLevel
    ) -> Member:
        viewer = await info.context.viewer()
        member = await info.context.services.profiles.set_notification_level(
            viewer, group_id, level
        )
        return serve(Member, member)
