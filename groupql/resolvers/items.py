"""Resolvers of a group's feed."""

from groupql.resolvers import Info
from groupql.services.pagination import Page
from groupql.store.records import Group, Item, ItemType


async def post_item(info: Info, group_id: str, type: ItemType, text: str | None) -> Item:
    viewer = await info.context.viewer()
    return await info.context.services.items.post_item(viewer, group_id, type, text)


async def items(info: Info, group: Group, first: int | None, after: str | None) -> Page[Item]:
    return await info.context.services.items.feed(group, first, after)


async def last_seq(info: Info, group: Group) -> int:
    return await info.context.loaders.last_seqs.load(group.id)
