"""Resolvers of groups, their members, and the users behind them."""

from groupql.errors import NotFound
from groupql.resolvers import Info
from groupql.services.pagination import Page
from groupql.store.records import Group, Member, User


async def group(info: Info, id: str) -> Group:
    viewer = await info.context.viewer()
    return await info.context.services.groups.get_group(viewer, id)


async def my_groups(info: Info, first: int | None, after: str | None) -> Page[Group]:
    viewer = await info.context.viewer()
    return await info.context.services.groups.my_groups(viewer, first, after)


async def members(info: Info, group: Group, first: int | None, after: str | None) -> Page[Member]:
    return await info.context.services.groups.members(group, first, after)


async def user(info: Info, user_id: str) -> User:
    found = await info.context.loaders.users.load(user_id)
    if found is None:
        raise NotFound("That user no longer exists.")
    return found


async def member_count(info: Info, group: Group) -> int:
    return await info.context.loaders.member_counts.load(group.id)
