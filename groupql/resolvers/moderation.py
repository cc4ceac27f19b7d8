"""Resolvers of running a group: roles, ownership, removals, mutes, approvals, leaving."""

from datetime import datetime

from groupql.resolvers import Info
from groupql.store.records import Group, Member, Role


async def set_member_role(info: Info, group_id: str, user_id: str, role: Role) -> Member:
    viewer = await info.context.viewer()
    return await info.context.services.moderation.set_role(viewer, group_id, user_id, role)


async def transfer_ownership(info: Info, group_id: str, user_id: str) -> Group:
    viewer = await info.context.viewer()
    return await info.context.services.moderation.transfer_ownership(viewer, group_id, user_id)


async def remove_member(info: Info, group_id: str, user_id: str, ban: bool) -> Member:
    viewer = await info.context.viewer()
    return await info.context.services.moderation.remove(viewer, group_id, user_id, ban=ban)


async def unban_member(info: Info, group_id: str, user_id: str) -> Member:
    viewer = await info.context.viewer()
    return await info.context.services.moderation.unban(viewer, group_id, user_id)


async def mute_member(info: Info, group_id: str, user_id: str, until: datetime | None) -> Member:
    viewer = await info.context.viewer()
    return await info.context.services.moderation.mute(viewer, group_id, user_id, until)


async def decide_member(info: Info, group_id: str, user_id: str, *, approve: bool) -> Member:
    viewer = await info.context.viewer()
    return await info.context.services.moderation.decide(viewer, group_id, user_id, approve=approve)


async def leave_group(info: Info, group_id: str) -> Member:
    viewer = await info.context.viewer()
    return await info.context.services.moderation.leave(viewer, group_id)
