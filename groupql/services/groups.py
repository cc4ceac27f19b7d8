"""Groups: reading them and their members, their settings, and app groups."""

from collections.abc import Sequence

from groupql.changes import UNCHANGED, Changes, Unchanged
from groupql.errors import BadUserInput, NotFound
from groupql.records import (
    Announcement,
    Group,
    GroupSettings,
    JoinPolicy,
    Member,
    MemberStatus,
    User,
)
from groupql.services.clock import Clock
from groupql.services.content_checks import ContentChecks
from groupql.services.events import Events
from groupql.services.membership import Access, MembershipService
from groupql.services.pagination import Page, decode_cursor, page_size, paginate
from groupql.services.permissions import Action, as_seen
from groupql.store import Store

MAX_TITLE_LENGTH = 64
MAX_ANNOUNCEMENT_LENGTH = 2000


class GroupService:
    def __init__(
        self,
        *,
        store: Store,
        membership: MembershipService,
        appid: str,
        clock: Clock,
        events: Events,
        checks: ContentChecks,
    ) -> None:
        self._store = store
        self._checks = checks
        self._events = events
        self._appid = appid
        self._membership = membership
        self._clock = clock

    async def get_group(self, viewer: User, group_id: str) -> Access:
        """A group for its members; a pending member gets it too, to see their membership and
        the group's summary (the schema's members-only guard keeps the rest from them)."""
        return (await self._membership.access(viewer, group_id)).require(Action.VIEW_GROUP_SUMMARY)

    async def get_many(self, ids: Sequence[str]) -> list[Group | None]:
        return await self._store.groups.get_many(ids)

    def viewer_membership(self, access: Access) -> Member | None:
        return as_seen(access.group, access.member) if access.member else None

    async def my_groups(self, viewer: User, *, first: int | None, after: str | None) -> Page[Group]:
        size = page_size(first)
        memberships = await self._store.members.page_of_user(
            viewer.id, after_id=decode_cursor("my-groups", after, self._store.is_id), limit=size + 1
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

    async def members(
        self, access: Access, *, status: MemberStatus, first: int | None, after: str | None
    ) -> Page[Member]:
        group = access.group
        if status is not MemberStatus.ACTIVE:
            access.require(Action.VIEW_MODERATION)
        size = page_size(first)
        members = await self._store.members.page_of_group(
            group.id,
            status,
            after_id=decode_cursor("members", after, self._store.is_id),
            limit=size + 1,
        )
        page = paginate(members, size, "members", lambda member: member.id)
        return Page(
            edges=[(cursor, as_seen(group, member)) for cursor, member in page.edges],
            has_next_page=page.has_next_page,
        )

    async def member_counts(self, group_ids: Sequence[str]) -> list[int]:
        return await self._store.members.count_active(group_ids)

    async def create_group(
        self, viewer: User, *, title: str, join_policy: JoinPolicy
    ) -> tuple[Group, Member]:
        title = _checked_title(title)
        await self._checks.name(viewer, title)
        group = await self._store.groups.create_app_group(
            appid=self._appid,
            title=title,
            settings=GroupSettings(join_policy=join_policy),
            owner_id=viewer.id,
            now=self._clock(),
        )
        member, _ = await self._membership.join(group, viewer.id)
        return group, member

    async def update_group(
        self,
        viewer: User,
        group_id: str,
        *,
        title: str | Unchanged | None = UNCHANGED,
        announcement: str | Unchanged | None = UNCHANGED,
        settings: Changes[GroupSettings],
    ) -> Group:
        """Apply the settings an admin changed; the announcement is signed by the viewer."""
        access = await self._membership.access(viewer, group_id)
        access.require(Action.UPDATE_GROUP)
        changes: dict[str, object] = {"settings": settings}
        if title is not UNCHANGED:
            changes["title"] = None if title is None else _checked_title(title)
        if announcement is not UNCHANGED:
            changes["announcement"] = (
                None
                if announcement is None
                else Announcement(
                    text=_checked_announcement(announcement),
                    author_id=viewer.id,
                    updated_at=self._clock(),
                )
            )
        announced = changes.get("announcement")
        texts = [
            changes.get("title"),
            announced.text if isinstance(announced, Announcement) else None,
        ]
        for text in texts:
            await self._checks.name(viewer, text if isinstance(text, str) else None)
        allowed_item_types = settings.get("allowed_item_types")
        if allowed_item_types is not None and not allowed_item_types:
            raise BadUserInput("'allowedItemTypes' must name at least one item type.")
        updated = await self._store.groups.update(group_id, Changes(Group, **changes))
        if updated is None:
            raise NotFound("No group has that id.")
        await self._events.group(updated)
        return updated


def _checked_title(title: str) -> str:
    title = title.strip()
    if not 1 <= len(title) <= MAX_TITLE_LENGTH:
        raise BadUserInput(f"'title' must have 1 to {MAX_TITLE_LENGTH} characters.")
    return title


def _checked_announcement(text: str) -> str:
    if not text.strip() or len(text) > MAX_ANNOUNCEMENT_LENGTH:
        raise BadUserInput(f"'announcement' must have 1 to {MAX_ANNOUNCEMENT_LENGTH} characters.")
    return text
