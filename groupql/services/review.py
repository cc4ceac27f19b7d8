"""Reviewing what the content check held: the admins' queue, and their decision."""

from collections.abc import Sequence
from enum import Enum

from bson import ObjectId

from groupql.errors import BadUserInput, NotFound
from groupql.records import Item, Report, ReviewStatus, User
from groupql.services.clock import Clock
from groupql.services.events import Events, EventType
from groupql.services.items import ItemService
from groupql.services.membership import Access
from groupql.services.moderation import ModerationService
from groupql.services.notifications import NotificationService
from groupql.services.pagination import Page, decode_cursor, page_size, paginate
from groupql.services.permissions import Action
from groupql.store import Store

MAX_REASON_LENGTH = 500


class ReviewAction(Enum):
    KEEP = "KEEP"  # publish it: everyone sees it, and whom it names hear of it
    REMOVE = "REMOVE"  # reject it: only its author sees it, marked REJECTED
    REMOVE_AND_BAN = "REMOVE_AND_BAN"  # reject it and ban its author


class ReviewService:
    def __init__(
        self,
        *,
        store: Store,
        items: ItemService,
        moderation: ModerationService,
        notifications: NotificationService,
        events: Events,
        clock: Clock,
    ) -> None:
        self._store = store
        self._clock = clock
        self._items = items
        self._moderation = moderation
        self._notifications = notifications
        self._events = events

    async def queue(self, access: Access, *, first: int | None, after: str | None) -> Page[Item]:
        """The group's held and reported items, newest first (admins)."""
        access.require(Action.REVIEW_CONTENT)
        size = page_size(first)
        position = decode_cursor("review", after, lambda p: p.isascii() and p.isdecimal())
        items = await self._store.items.queue_page(
            access.group.id, before_seq=None if position is None else int(position), limit=size + 1
        )
        return paginate(items, size, "review", lambda item: str(item.seq))

    async def report(self, viewer: User, item_id: str, reason: str) -> bool:
        """A member reports an item to the admins; False if they had reported it already."""
        reason = " ".join(reason.split())
        if not 1 <= len(reason) <= MAX_REASON_LENGTH:
            raise BadUserInput(f"Say why in 1 to {MAX_REASON_LENGTH} characters.")
        item, access = await self._items.item_with_access(viewer, item_id)
        access.require(Action.REPORT_ITEM)
        if item.is_deleted:
            raise BadUserInput("That item was deleted already.")
        report = Report(
            id=str(ObjectId()),
            group_id=item.group_id,
            item_id=item.id,
            reporter_id=viewer.id,
            reason=reason,
            created_at=self._clock(),
        )
        if not await self._store.reports.add(report):
            return False
        await self._store.items.reported(item)
        return True

    async def reports_of(self, items: Sequence[tuple[str, str]]) -> list[list[Report]]:
        return await self._store.reports.of_items(items)

    async def announce(self, published: Item) -> None:
        """A held item was published: live feeds show its content, whom it names hear of it."""
        await self._events.item(EventType.ITEM_EDITED, published)
        mentioned = await self._store.members.active_among(
            published.group_id, list(published.content.mentions)
        )
        parent = None
        if published.reply_to is not None:
            [parent] = await self._store.items.get_many([published.reply_to])
        await self._notifications.item_posted(published, mentioned, parent)

    async def resolve(self, viewer: User, item_id: str, action: ReviewAction) -> Item:
        item, access = await self._items.item_with_access(viewer, item_id)
        access.require(Action.REVIEW_CONTENT)
        if not item.queued:
            raise BadUserInput("That item is not in the review queue.")
        was_held = item.review is ReviewStatus.PENDING_REVIEW
        keep = action is ReviewAction.KEEP
        decided = await self._store.items.decide_review(
            item, ReviewStatus.PUBLISHED if keep else ReviewStatus.REJECTED
        )
        if decided is None:
            raise NotFound("That item was decided meanwhile; reload the queue.")
        if keep and was_held:
            await self.announce(decided)
        else:
            # Live feeds show it (or keep hiding it) as each viewer may see it now.
            await self._events.item(EventType.ITEM_EDITED, decided)
        if action is ReviewAction.REMOVE_AND_BAN:
            await self._moderation.remove(
                viewer, group_id=decided.group_id, user_id=decided.author_id, ban=True
            )
        return decided
