"""Resolvers of groups, their members and settings, and the users behind them."""

from collections.abc import Sequence

from groupql.errors import NotFound
from groupql.resolvers import Info
from groupql.services.pagination import Page
from groupql.store.records import (
    Announcement,
    Group,
    GroupChanges,
    JoinPolicy,
    Member,
    MemberStatus,
    User,
)


async def group(info: Info, id: str) -> Group:
    viewer = await info.context.viewer()
    access = await info.context.services.groups.get_group(viewer, id)
    await info.context.remember_access(access)
    return access.group


async def my_groups(info: Info, first: int | None, after: str | None) -> Page[Group]:
    viewer = await info.context.viewer()
    return await info.context.services.groups.my_groups(viewer, first, after)


async def members(
    info: Info, group: Group, status: MemberStatus, first: int | None, after: str | None
) -> Page[Member]:
    access = await info.context.access(group)
    return await info.context.services.groups.members(access, status, first, after)


async def viewer_membership(info: Info, group: Group) -> Member | None:
    access = await info.context.access(group)
    return info.context.services.groups.viewer_membership(access)


async def member_count(info: Info, group: Group) -> int:
    return await info.context.loaders.member_counts.load(group.id)


async def user(info: Info, user_id: str) -> User:
    [found] = await users(info, [user_id])
    return found


async def users(info: Info, user_ids: Sequence[str]) -> list[User]:
    """Users by id, in one batch (one round trip with every other user loaded meanwhile)."""
    found = await info.context.loaders.users.load_many(list(user_ids))
    if any(one is None for one in found):
        raise NotFound("That user no longer exists.")
    return [one for one in found if one is not None]


async def create_group(info: Info, title: str, join_policy: JoinPolicy) -> tuple[Group, Member]:
    viewer = await info.context.viewer()
    return await info.context.services.groups.create_group(
        viewer, title=title, join_policy=join_policy
    )


async def update_group(info: Info, group_id: str, changes: GroupChanges) -> Group:
    viewer = await info.context.viewer()
    return await info.context.services.groups.update_group(viewer, group_id, changes)


async def announcement(info: Info, group: Group) -> Announcement | None:
    access = await info.context.access(group)
    return info.context.services.groups.announcement(access)
