"""A group's feed: posting, editing and deleting items, and reading the feed, replies and album."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from groupql.changes import UNCHANGED, Unchanged
from groupql.errors import (
    BadUserInput,
    Conflict,
    ContentRejected,
    Forbidden,
    NotFound,
    RateLimited,
)
from groupql.records import (
    Group,
    Item,
    ItemContent,
    ItemType,
    Media,
    Member,
    MemberStatus,
    NotificationLevel,
    PostPolicy,
    ReviewStatus,
    Role,
    StoredMedia,
    User,
)
from groupql.services.clock import Clock
from groupql.services.content_checks import ContentChecks
from groupql.services.events import Events, EventType
from groupql.services.item_content import (
    ContentLimits,
    ItemDraft,
    checked_content,
    checked_mentions,
    checked_text,
)
from groupql.services.membership import Access, MembershipService
from groupql.services.notifications import NotificationService
from groupql.services.pagination import Page, decode_cursor, is_seq, page_size, paginate
from groupql.services.permissions import Action, rank
from groupql.services.rankings import RankingService
from groupql.services.uploads import media_entry
from groupql.store import Store
from groupql.throttle import Rate, Throttle
from groupql.throttle.rates import whole_seconds

EDITABLE_TYPES = frozenset({ItemType.TEXT, ItemType.LINK, ItemType.QUESTION})


@dataclass(frozen=True)
class AlbumEntry:
    item: Item
    media: Media
    index: int


class ItemService:
    def __init__(
        self,
        *,
        store: Store,
        membership: MembershipService,
        clock: Clock,
        limits: ContentLimits,
        recall_window: timedelta,
        events: Events,
        throttle: Throttle,
        mention_all_rate: Rate | None,
        notifications: NotificationService,
        checks: ContentChecks,
        rankings: RankingService,
    ) -> None:
        self._store = store
        self._rankings = rankings
        self._checks = checks
        self._notifications = notifications
        self._throttle = throttle
        self._mention_all_rate = mention_all_rate
        self._events = events
        self._membership = membership
        self._clock = clock
        self._limits = limits
        self._recall_window = recall_window

    async def post_item(self, viewer: User, draft: ItemDraft) -> Item:
        """Post a draft; a retry with the `client_id` of a post that was stored returns that
        item, unchanged and not announced again."""
        awaiting: tuple[str, ...] = ()
        media_for_admins = False
        if draft.media_ids:
            files = await self._uploaded(viewer, draft)
            if any(one.review is ReviewStatus.REJECTED for one in files):
                raise ContentRejected("A photo was refused by the content check: leave it out.")
            held = [one for one in files if one.review is ReviewStatus.PENDING_REVIEW]
            # Held with a check under way: wait for WeChat; held without one: for an admin.
            awaiting = tuple(one.id for one in held if one.trace_id is not None)
            media_for_admins = any(one.trace_id is None for one in held)
            uploaded = tuple(media_entry(one) for one in files)
            draft = replace(
                draft, content=replace(draft.content, media=uploaded + draft.content.media)
            )
        content = checked_content(draft, self._limits, self._clock())
        access = await self._membership.access(viewer, draft.group_id)
        settings = access.group.settings
        access.require(
            Action.POST_WHEN_ADMINS_ONLY
            if settings.post_policy is PostPolicy.ADMINS
            else Action.POST
        )
        if draft.type not in settings.allowed_item_types:
            raise Forbidden(f"This group does not take {draft.type.value} items.")
        parent = None
        if draft.reply_to is not None:
            parent = await self._reply_parent(access.group, draft.reply_to)
        if content.mentions_all:
            await self._check_mention_all(access)
        mentioned = await self._members_named(access, content.mentions)
        content = replace(content, mentions=tuple(member.user_id for member in mentioned))
        checked = await self._checks.item(viewer, _texts(content), reply=parent is not None)
        text_held = checked.review is ReviewStatus.PENDING_REVIEW
        appended = await self._store.items.append(
            group_id=access.group.id,
            type=draft.type,
            author_id=viewer.id,
            content=content,
            reply_to=draft.reply_to,
            client_id=draft.client_id,
            now=self._clock(),
            review=ReviewStatus.PENDING_REVIEW
            if text_held or awaiting or media_for_admins
            else ReviewStatus.PUBLISHED,
            review_label=checked.label,
            queued=text_held or media_for_admins,
            awaiting_media=awaiting,
        )
        if appended is None:
            raise Conflict("The group is busy; retry the post.")
        item, is_new = appended
        if is_new:
            # Whoever posts has read the group up to their own item.
            await self._store.members.mark_read(
                group_id=item.group_id, user_id=viewer.id, seq=item.seq
            )
            await self._events.item(EventType.ITEM_POSTED, item)
            if item.review is ReviewStatus.PUBLISHED:
                await self._rankings.count_post(item)  # a held item is not counted
            if item.review is ReviewStatus.PUBLISHED:
                # A held item tells nobody until a reviewer keeps it.
                await self._notifications.item_posted(item, mentioned, parent)
        return item

    async def edit_item(
        self,
        viewer: User,
        item_id: str,
        *,
        text: str,
        mentions: tuple[str, ...] | Unchanged = UNCHANGED,
    ) -> Item:
        item, access = await self.item_with_access(viewer, item_id)
        if item.author_id != viewer.id:
            raise Forbidden("Only its author may edit an item.")
        access.require(Action.EDIT_OWN_ITEM)
        if item.type not in EDITABLE_TYPES:
            raise BadUserInput("Only TEXT, LINK and QUESTION items can be edited.")
        if item.is_deleted:
            raise BadUserInput("A deleted item cannot be edited.")
        new_text = checked_text(text, self._limits, item.type)
        named = (
            None
            if mentions is UNCHANGED
            else await self._members_named(access, checked_mentions(mentions))
        )
        checked = await self._checks.item(viewer, [new_text], reply=item.reply_to is not None)
        edited = await self._store.items.edit_text(
            item,
            text=new_text or "",
            mentions=item.content.mentions
            if named is None
            else tuple(member.user_id for member in named),
            now=self._clock(),
            review=checked.review,
            review_label=checked.label,
        )
        if edited is None:
            raise BadUserInput("A deleted item cannot be edited.")
        await self._events.item(EventType.ITEM_EDITED, edited)
        if named is not None and edited.review is ReviewStatus.PUBLISHED:
            # Only those named anew hear of it: an edit is not a second mention.
            before = set(item.content.mentions)
            added = [member for member in named if member.user_id not in before]
            await self._notifications.mentions_added(edited, added)
        return edited

    async def delete_item(self, viewer: User, item_id: str) -> Item:
        item, access = await self.item_with_access(viewer, item_id)
        if item.is_deleted:
            return item
        may_recall = item.author_id == viewer.id and access.allows(Action.DELETE_OWN_ITEM)
        in_window = self._clock() - item.created_at <= self._recall_window
        if not (may_recall and in_window) and not access.allows(Action.DELETE_ANY_ITEM):
            if may_recall:
                window_s = int(self._recall_window.total_seconds())
                raise Forbidden(f"Authors may delete an item within {window_s} s; ask an admin.")
            access.require(Action.DELETE_ANY_ITEM)
        deleted = await self._store.items.tombstone(item, now=self._clock())
        if deleted is None:
            raise NotFound("No item has that id.")
        await self._store.groups.unpin(item.group_id, item_id=item.id)
        await self._events.item(EventType.ITEM_DELETED, deleted)
        return deleted

    async def _uploaded(self, viewer: User, draft: ItemDraft) -> list[StoredMedia]:
        """The viewer's own files uploaded to this group."""
        ids = tuple(dict.fromkeys(draft.media_ids))
        found = (
            await self._store.media.get_many(list(ids)) if all(map(self._store.is_id, ids)) else []
        )
        if len(found) != len(ids) or any(
            one is None or one.owner_id != viewer.id or one.group_id != draft.group_id
            for one in found
        ):
            raise NotFound(
                "'mediaIds' names no file of yours in this group: pass the ids completeUpload "
                "returned (not the upload tickets')."
            )
        return [one for one in found if one is not None]

    async def _members_named(self, access: Access, user_ids: tuple[str, ...]) -> list[Member]:
        """The active members among `user_ids`, but not the viewer, in the order named: only
        they are mentioned."""
        assert access.member is not None, "only members post"
        others = [user_id for user_id in user_ids if user_id != access.member.user_id]
        if not others:
            return []
        members = await self._store.members.active_among(access.group.id, others)
        by_user = {member.user_id: member for member in members}
        return [by_user[user_id] for user_id in others if user_id in by_user]

    async def _check_mention_all(self, access: Access) -> None:
        """@all is for the roles the group names, and only so often in each group."""
        assert access.member is not None, "only members post"
        roles = access.group.settings.mention_all_roles
        access.require(
            Action.MENTION_ALL_WHEN_MEMBERS_MAY if Role.MEMBER in roles else Action.MENTION_ALL
        )
        if rank(access.group, access.member) not in roles:
            allowed = ", ".join(sorted(role.value for role in roles)) or "nobody"
            raise Forbidden(f"In this group only {allowed} may @all.")
        rate = self._mention_all_rate
        if rate is None:
            return
        wait_s = await self._throttle.hit(f"mention-all:{access.group.id}", rate)
        if wait_s is not None:
            seconds = whole_seconds(wait_s)
            raise RateLimited(
                f"This group has had its {rate.count} @all for the hour; retry in {seconds} s.",
                retry_after_s=seconds,
            )

    async def mention_all_reach(self, access: Access) -> int:
        """How many members an @all by the viewer would notify: the active members but the
        viewer and those who turned the group's notifications off."""
        group_id = access.group.id
        [active], [unnotified] = (
            await self._store.members.count_active([group_id]),
            await self._store.members.count_unnotified([group_id]),
        )
        viewer = access.member
        counted = (
            viewer is not None
            and viewer.status is MemberStatus.ACTIVE
            and viewer.notification_level is not NotificationLevel.NONE
        )
        return max(0, active - unnotified - (1 if counted else 0))

    async def item_with_access(self, viewer: User, item_id: str) -> tuple[Item, Access]:
        """An item of a group the viewer may see, and where the viewer stands there."""
        [item] = await self._store.items.get_many([item_id])
        if item is None:
            raise NotFound("No item has that id.")
        access = await self._membership.access(viewer, item.group_id)
        access.require(Action.VIEW_GROUP)
        return item, access

    async def feed(
        self,
        group: Group,
        *,
        first: int | None,
        after: str | None,
        types: Collection[ItemType] | None = None,
        before_seq: int | None = None,
    ) -> Page[Item]:
        """A page of the group's feed (for members: the caller checked)."""
        size = page_size(first)
        cursor_seq = _seq_or_none(decode_cursor("items", after, is_seq))
        bounds = [seq for seq in (cursor_seq, before_seq) if seq is not None]
        items = await self._store.items.page_newest_first(
            group.id, before_seq=min(bounds, default=None), types=types, limit=size + 1
        )
        return paginate(items, size, "items", lambda item: str(item.seq))

    async def replies(self, item: Item, *, first: int | None, after: str | None) -> Page[Item]:
        size = page_size(first)
        after_seq = _seq_or_none(decode_cursor("replies", after, is_seq))
        items = await self._store.items.replies_page(item, after_seq=after_seq, limit=size + 1)
        return paginate(items, size, "replies", lambda reply: str(reply.seq))

    async def album(
        self, group: Group, *, first: int | None, after: str | None
    ) -> Page[AlbumEntry]:
        """The media of IMAGE and VIDEO items, newest item first, each item's media in order."""
        size = page_size(first)
        position = decode_cursor("album", after, _is_album_position)
        before_seq, after_index = (None, -1) if position is None else map(int, position.split("."))
        # Every album item holds at least one media, so size + 1 items fill size + 1 entries.
        items = await self._store.items.album_page(group.id, before_seq=before_seq, limit=size + 1)
        entries = [
            AlbumEntry(item=item, media=media, index=index)
            for item in items
            for index, media in enumerate(item.content.media)
            if item.seq != before_seq or index > after_index
        ]
        return paginate(entries, size, "album", lambda entry: f"{entry.item.seq}.{entry.index}")

    def visible_answer(self, answer: Item | None) -> Item | None:
        """An accepted answer that was deleted since reads as none."""
        return None if answer is None or answer.is_deleted else answer

    def is_pinned(self, group: Group | None, item: Item) -> bool:
        return group is not None and any(pin.item_id == item.id for pin in group.pins)

    async def get_many(self, ids: Sequence[str]) -> list[Item | None]:
        return await self._store.items.get_many(ids)

    async def last_seqs(self, group_ids: Sequence[str]) -> list[int]:
        return await self._store.items.last_seqs(group_ids)

    async def reply_counts(self, items: Sequence[tuple[str, str]]) -> list[int]:
        """Live replies of each (groupId, itemId)."""
        return await self._store.items.reply_counts(items)

    async def _reply_parent(self, group: Group, parent_id: str) -> Item:
        [parent] = await self._store.items.get_many([parent_id])
        if parent is None or parent.group_id != group.id:
            raise NotFound("'replyTo' names no item of this group.")
        if parent.is_deleted:
            raise BadUserInput("A deleted item takes no replies.")
        return parent


def _texts(content: ItemContent) -> list[str | None]:
    """Everything of an item that is published as text: its text, a link's title, poll options."""
    options = [option.text for option in content.poll.options] if content.poll else []
    return [content.text, content.link.title if content.link else None, *options]


def _seq_or_none(position: str | None) -> int | None:
    return None if position is None else int(position)


def _is_album_position(position: str) -> bool:
    seq, _, index = position.partition(".")
    return is_seq(seq) and is_seq(index)
