"""Resolvers of a group's feed: items, replies, the album, pins, polls and answers."""

from collections.abc import Sequence

from groupql.errors import NotFound
from groupql.resolvers import Info
from groupql.services.item_content import ItemDraft
from groupql.services.items import AlbumEntry
from groupql.services.pagination import Page
from groupql.store.records import Group, Item, ItemType, PollTally


async def post_item(info: Info, draft: ItemDraft) -> Item:
    viewer = await info.context.viewer()
    return await info.context.services.items.post_item(viewer, draft)


async def edit_item(info: Info, item_id: str, text: str) -> Item:
    viewer = await info.context.viewer()
    return await info.context.services.items.edit_item(viewer, item_id, text)


async def delete_item(info: Info, item_id: str) -> Item:
    viewer = await info.context.viewer()
    return await info.context.services.items.delete_item(viewer, item_id)


async def pin_item(info: Info, item_id: str, pinned: bool) -> Group:
    viewer = await info.context.viewer()
    return await info.context.services.pins.pin(viewer, item_id, pinned=pinned)


async def vote(info: Info, item_id: str, option_ids: Sequence[str]) -> Item:
    viewer = await info.context.viewer()
    return await info.context.services.polls.vote(viewer, item_id, option_ids)


async def accept_answer(info: Info, question_id: str, answer_id: str) -> Item:
    viewer = await info.context.viewer()
    return await info.context.services.questions.accept_answer(viewer, question_id, answer_id)


async def items(
    info: Info,
    group: Group,
    first: int | None,
    after: str | None,
    types: Sequence[ItemType] | None,
    before_seq: int | None,
) -> Page[Item]:
    access = await info.context.access(group)
    return await info.context.services.items.feed(access, first, after, types, before_seq)


async def replies(info: Info, item: Item, first: int | None, after: str | None) -> Page[Item]:
    return await info.context.services.items.replies(item, first, after)


async def album(info: Info, group: Group, first: int | None, after: str | None) -> Page[AlbumEntry]:
    access = await info.context.access(group)
    return await info.context.services.items.album(access, first, after)


async def item(info: Info, item_id: str) -> Item:
    found = await info.context.loaders.items.load(item_id)
    if found is None:
        raise NotFound("That item no longer exists.")
    return found


async def pinned_items(info: Info, group: Group) -> list[Item]:
    access = await info.context.access(group)
    found = await info.context.loaders.items.load_many(
        info.context.services.items.pinned_ids(access)
    )
    return [item for item in found if item is not None]


async def last_seq(info: Info, group: Group) -> int:
    info.context.services.groups.members_only(await info.context.access(group))
    return await info.context.loaders.last_seqs.load(group.id)


async def reply_count(info: Info, item: Item) -> int:
    return await info.context.loaders.reply_counts.load(item.id)


async def poll_tally(info: Info, item: Item) -> PollTally:
    return await info.context.loaders.poll_tallies.load(item.id)


async def viewer_ballot(info: Info, item: Item) -> tuple[str, ...]:
    return await (await info.context.viewer_ballots()).load(item.id)


async def is_pinned(info: Info, item: Item) -> bool:
    group = await info.context.loaders.groups.load(item.group_id)
    return info.context.services.items.is_pinned(group, item)


async def accepted_answer(info: Info, question: Item) -> Item | None:
    if question.accepted_answer_id is None:
        return None
    answer = await info.context.loaders.items.load(question.accepted_answer_id)
    return info.context.services.items.visible_answer(answer)
