"""Posting to a group's feed and reading it, newest first."""

from collections.abc import Sequence

from groupql.errors import BadUserInput
from groupql.services.clock import Clock
from groupql.services.groups import GroupService
from groupql.services.pagination import Page, decode_cursor, page_size, paginate
from groupql.services.permissions import Action, require
from groupql.store import Store
from groupql.store.records import Group, Item, ItemType, User


class ItemService:
    def __init__(
        self, *, store: Store, groups: GroupService, clock: Clock, max_text_length: int
    ) -> None:
        self._store = store
        self._groups = groups
        self._clock = clock
        self._max_text_length = max_text_length

    async def post_item(
        self, viewer: User, group_id: str, type: ItemType, text: str | None
    ) -> Item:
        text = self._checked_text(text)
        _, member = await self._groups.membership(viewer, group_id)
        require(member, Action.POST_ITEM)
        return await self._store.items.append(
            group_id=group_id,
            type=type,
            author_id=viewer.id,
            text=text,
            now=self._clock(),
        )

    async def feed(self, group: Group, first: int | None, after: str | None) -> Page[Item]:
        size = page_size(first)
        before_seq = decode_cursor("items", after, _is_seq)
        items = await self._store.items.page_newest_first(
            group.id, before_seq=None if before_seq is None else int(before_seq), limit=size + 1
        )
        return paginate(items, size, "items", lambda item: str(item.seq))

    async def last_seqs(self, group_ids: Sequence[str]) -> list[int]:
        return await self._store.items.last_seqs(group_ids)

    def _checked_text(self, text: str | None) -> str:
        if text is None or not text.strip():
            raise BadUserInput("A TEXT item needs non-empty 'text'.")
        if len(text) > self._max_text_length:
            raise BadUserInput(f"'text' is longer than {self._max_text_length} characters.")
        return text


def _is_seq(position: str) -> bool:
    # isdecimal alone admits non-ASCII digits; 18 digits stay within MongoDB's 64-bit integers.
    return position.isascii() and position.isdecimal() and len(position) <= 18
