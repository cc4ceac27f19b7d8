"""WeChat's verdicts on uploaded images (the wxa_media_check push): the file is published or
refused, and the items that waited for it follow."""

import logging

from groupql.records import ReviewStatus
from groupql.services.events import Events, EventType
from groupql.services.review import ReviewService
from groupql.store import Store
from groupql.wechat.content_security import MediaCheckResult, Verdict

logger = logging.getLogger(__name__)


class MediaCheckService:
    def __init__(
        self, *, store: Store, review: ReviewService, events: Events, fail_open: bool
    ) -> None:
        self._store = store
        self._review = review
        self._events = events
        self._fail_open = fail_open

    async def verdict(self, result: MediaCheckResult) -> None:
        """Apply a verdict; one that names no waiting check (sent again, or not ours) changes
        nothing."""
        media = await self._store.media.by_trace(result.trace_id)
        if media is None or media.review is not ReviewStatus.PENDING_REVIEW:
            return
        if result.verdict is Verdict.PASS or (
            result.verdict is Verdict.UNKNOWN and self._fail_open
        ):
            decided = ReviewStatus.PUBLISHED
        elif result.verdict is Verdict.RISKY:
            decided = ReviewStatus.REJECTED
        else:
            # WeChat wants a person to look (or could not fetch it): the admins decide.
            await self._to_admins(media.group_id, media.id)
            return
        if await self._store.media.decide(media, decided) is None:
            return
        if media.group_id is None:  # an avatar
            if decided is ReviewStatus.REJECTED:
                await self._store.users.drop_avatar(media.owner_id, media.key)
            return
        for item in await self._store.items.awaiting(media.group_id, media.id):
            if decided is ReviewStatus.REJECTED:
                rejected = await self._store.items.reject_checked(item)
                if rejected is not None:
                    await self._events.item(EventType.ITEM_EDITED, rejected)
                continue
            checked = await self._store.items.media_checked(item, media.id)
            published = (
                None if checked is None else await self._store.items.publish_checked(checked)
            )
            if published is not None:
                await self._review.announce(published)

    async def _to_admins(self, group_id: str | None, media_id: str) -> None:
        if group_id is None:
            return
        for item in await self._store.items.awaiting(group_id, media_id):
            await self._store.items.to_admins(item, media_id)
