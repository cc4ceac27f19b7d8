"""Resolvers of invitations."""

from datetime import datetime

from groupql.resolvers import Info
from groupql.services.pagination import Page
from groupql.services.sharing import JoinResult
from groupql.store.records import Group, Invite


async def create_invite(
    info: Info, group_id: str, max_uses: int | None, expires_at: datetime | None
) -> Invite:
    viewer = await info.context.viewer()
    return await info.context.services.invites.create(
        viewer, group_id, max_uses=max_uses, expires_at=expires_at
    )


async def join_by_invite(info: Info, code: str) -> JoinResult:
    viewer = await info.context.viewer()
    return await info.context.services.invites.join(viewer, code)


async def revoke_invite(info: Info, invite_id: str) -> Invite:
    viewer = await info.context.viewer()
    return await info.context.services.invites.revoke(viewer, invite_id)


async def invites(info: Info, group: Group, first: int | None, after: str | None) -> Page[Invite]:
    access = await info.context.access(group)
    return await info.context.services.invites.page(access, first, after)
