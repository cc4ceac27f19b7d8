"""Running a group: roles, ownership, removals and bans, mutes, approvals, leaving."""

from datetime import datetime

import strawberry

from groupql import records
from groupql.context import Info
from groupql.schema.groups import Group
from groupql.schema.members import Member
from groupql.schema.serving import serve


@strawberry.type
class ModerationMutation:
    @strawberry.mutation(description="Make an active member ADMIN or MEMBER (owner).")
    async def set_member_role(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID, role: records.Role
    ) -> Member:
        viewer = await info.context.viewer()
        changed = await info.context.services.moderation.set_role(
            viewer, group_id=group_id, user_id=user_id, role=role
        )
        return serve(Member, changed)

    @strawberry.mutation(description="Hand the group to another active member (owner).")
    async def transfer_ownership(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Group:
        viewer = await info.context.viewer()
        group = await info.context.services.moderation.transfer_ownership(
            viewer, group_id=group_id, user_id=user_id
        )
        return serve(Group, group)

    @strawberry.mutation(description="Remove (or ban) a member (admins).")
    async def remove_member(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID, ban: bool = False
    ) -> Member:
        viewer = await info.context.viewer()
        removed = await info.context.services.moderation.remove(
            viewer, group_id=group_id, user_id=user_id, ban=ban
        )
        return serve(Member, removed)

    @strawberry.mutation(description="Let a banned user join again (admins).")
    async def unban_member(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Member:
        viewer = await info.context.viewer()
        unbanned = await info.context.services.moderation.unban(
            viewer, group_id=group_id, user_id=user_id
        )
        return serve(Member, unbanned)

    @strawberry.mutation(description="Keep a member from posting until a time; null unmutes.")
    async def mute_member(
        self,
        info: Info,
        group_id: strawberry.ID,
        user_id: strawberry.ID,
        until: datetime | None = None,
    ) -> Member:
        viewer = await info.context.viewer()
        muted = await info.context.services.moderation.mute(
            viewer, group_id=group_id, user_id=user_id, until=until
        )
        return serve(Member, muted)

    @strawberry.mutation(description="Let a pending member in (admins).")
    async def approve_member(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Member:
        viewer = await info.context.viewer()
        approved = await info.context.services.moderation.decide(
            viewer, group_id=group_id, user_id=user_id, approve=True
        )
        return serve(Member, approved)

    @strawberry.mutation(description="Turn a pending member away (admins).")
    async def reject_member(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Member:
        viewer = await info.context.viewer()
        rejected = await info.context.services.moderation.decide(
            viewer, group_id=group_id, user_id=user_id, approve=False
        )
        return serve(Member, rejected)

    @strawberry.mutation(description="Leave a group; an owner hands it to the next in line.")
    async def leave_group(self, info: Info, group_id: strawberry.ID) -> Member:
        viewer = await info.context.viewer()
        return serve(Member, await info.context.services.moderation.leave(viewer, group_id))
