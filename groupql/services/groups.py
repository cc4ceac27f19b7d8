"""Reading groups and their members, always through the viewer's membership."""

from collections.abc import Sequence

from groupql.errors import NotFound
from groupql.services.pagination import Page, decode_cursor, page_size, paginate
from groupql.services.permissions import Action, require
from groupql.store import Store
from groupql.store.documents import is_valid_id
from groupql.store.records import Group, Member, User


class GroupService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def membership(self, viewer: User, group_id: str) -> tuple[Group, Member | None]:
        [group] = await self._store.groups.get_many([group_id])
        if group is None:
            raise NotFound("No group has that id.")
        [member] = await self.memberships_of(viewer.id, [group_id])
        return group, member

    async def memberships_of(self, user_id: str, group_ids: Sequence[str]) -> list[Member | None]:
        found = await self._store.members.of_user_in_groups(user_id, group_ids)
        by_group = {member.group_id: member for member in found}
        return [by_group.get(group_id) for group_id in group_ids]

    async def get_group(self, viewer: User, group_id: str) -> Group:
        group, member = await self.membership(viewer, group_id)
        require(member, Action.VIEW_GROUP)
        return group

    async def my_groups(self, viewer: User, first: int | None, after: str | None) -> Page[Group]:
        size = page_size(first)
        memberships = await self._store.members.page_of_user(
            viewer.id, after_id=decode_cursor("my-groups", after, is_valid_id), limit=size + 1
        )
        groups = await self._store.groups.get_many([m.group_id for m in memberships])
        page = paginate(memberships, size, "my-groups", lambda member: member.id)
        by_group = {group.id: group for group in groups if group is not None}
        return Page(
            edges=[
                (cursor, by_group[m.group_id]) for cursor, m in page.edges if m.group_id in by_group
            ],
            has_next_page=page.has_next_page,
        )

    async def members(self, group: Group, first: int | None, after: str | None) -> Page[Member]:
        size = page_size(first)
        members = await self._store.members.page_of_group(
            group.id, after_id=decode_cursor("members", after, is_valid_id), limit=size + 1
        )
        return paginate(members, size, "members", lambda member: member.id)

    async def member_counts(self, group_ids: Sequence[str]) -> list[int]:
        return await self._store.members.count_active(group_ids)
