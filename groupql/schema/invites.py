"""Invitations: codes that let people join a group, and joining with one."""

from datetime import datetime

import strawberry

from groupql import records
from groupql.context import Info
from groupql.schema.members import JoinResult
from groupql.schema.serving import serve, serves
from groupql.schema.users import User, user_of


@serves(records.Invite)
@strawberry.type(description="A code that lets people join a group.")
class Invite:
    id: strawberry.ID
    code: str
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    created_by: User = strawberry.field(resolver=user_of("created_by"))


@strawberry.type
class InviteMutation:
    @strawberry.mutation(description="Create an invitation code for a group.")
    async def create_invite(
        self,
        info: Info,
        group_id: strawberry.ID,
        max_uses: int | None = None,
        expires_at: datetime | None = None,
    ) -> Invite:
        viewer = await info.context.viewer()
        invite = await info.context.services.invites.create(
            viewer, group_id=group_id, max_uses=max_uses, expires_at=expires_at
        )
        return serve(Invite, invite)

    @strawberry.mutation(description="Join a group with an invitation code.")
    async def join_by_invite(self, info: Info, code: str) -> JoinResult:
        viewer = await info.context.viewer()
        return serve(JoinResult, await info.context.services.invites.join(viewer, code))

    @strawberry.mutation(description="Revoke an invitation (admins, or its creator).")
    async def revoke_invite(self, info: Info, invite_id: strawberry.ID) -> Invite:
        viewer = await info.context.viewer()
        return serve(Invite, await info.context.services.invites.revoke(viewer, invite_id))
