"""Group events: what the services publish after each change, for live subscribers."""

import logging
from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import Any

from groupql.observability.metrics import observed
from groupql.realtime.bus import EventBus
from groupql.records import Group, Item, Member, Notification, RankingPeriod
from groupql.store.notifications import audience_of

logger = logging.getLogger(__name__)


class EventType(Enum):
    ITEM_POSTED = "ITEM_POSTED"
    ITEM_EDITED = "ITEM_EDITED"
    ITEM_DELETED = "ITEM_DELETED"
    ITEM_PINNED = "ITEM_PINNED"
    ITEM_UNPINNED = "ITEM_UNPINNED"
    POLL_UPDATED = "POLL_UPDATED"
    MEMBER_JOINED = "MEMBER_JOINED"
    MEMBER_LEFT = "MEMBER_LEFT"
    MEMBER_REMOVED = "MEMBER_REMOVED"
    MEMBER_ROLE_CHANGED = "MEMBER_ROLE_CHANGED"
    MEMBER_UPDATED = "MEMBER_UPDATED"
    GROUP_UPDATED = "GROUP_UPDATED"
    RANKING_CHANGED = "RANKING_CHANGED"
    # On the user's own channel (myEvents):
    JOINED_GROUP = "JOINED_GROUP"
    NOTIFICATION_ADDED = "NOTIFICATION_ADDED"
    UNREAD_CHANGED = "UNREAD_CHANGED"
    REMOVED_FROM_GROUP = "REMOVED_FROM_GROUP"


def group_channel(group_id: str) -> str:
    return f"group:{group_id}"


def user_channel(user_id: str) -> str:
    return f"user:{user_id}"


class Events:
    """Publishes events after the write they tell of has succeeded.

    Messages carry ids, not data: each instance reads the record once per event for all its
    subscribers, and the read is fresh. Publishing is best effort: a write never fails because
    the bus did, and subscribers that missed an item recover it by seq.
    """

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    async def item(self, type: EventType, item: Item) -> None:
        await self._publish(
            group_channel(item.group_id),
            {"type": type.value, "groupId": item.group_id, "seq": item.seq, "itemId": item.id},
        )

    async def member(self, type: EventType, member: Member) -> None:
        payload = {"type": type.value, "groupId": member.group_id, "userId": member.user_id}
        await self._publish(group_channel(member.group_id), payload)
        own = {
            EventType.MEMBER_JOINED: EventType.JOINED_GROUP,
            EventType.MEMBER_REMOVED: EventType.REMOVED_FROM_GROUP,
        }.get(type)
        if own is not None:
            await self._publish(user_channel(member.user_id), {**payload, "type": own.value})

    async def group(self, group: Group) -> None:
        await self._publish(
            group_channel(group.id), {"type": EventType.GROUP_UPDATED.value, "groupId": group.id}
        )

    async def ranking(self, group_id: str, metric: str, period: RankingPeriod, day: date) -> None:
        """Scores of a metric changed in the period of this kind that holds `day` (and in the
        longer ones around it)."""
        payload = {
            "type": EventType.RANKING_CHANGED.value,
            "groupId": group_id,
            "metric": metric,
            "period": period.value,
            "day": day.isoformat(),
        }
        await self._publish(group_channel(group_id), payload)

    async def notifications(self, addressed: Sequence[tuple[str, Notification]]) -> None:
        """Each new notification, on its recipient's channel, or on its group's channel when it
        is for the whole group or its admins (each member's myEvents listens there)."""
        for to, notification in addressed:
            payload = {
                "type": EventType.NOTIFICATION_ADDED.value,
                "groupId": notification.group_id,
                "notificationId": notification.id,
                "to": to,
            }
            is_audience = audience_of(to) is not None
            channel = group_channel(notification.group_id) if is_audience else user_channel(to)
            await self._publish(channel, payload)

    async def own_settings(self, member: Member) -> None:
        """The member changed what only they see of their membership (their notification
        level): their own channel hears it, the group's does not."""
        payload = {
            "type": EventType.MEMBER_UPDATED.value,
            "groupId": member.group_id,
            "userId": member.user_id,
        }
        await self._publish(user_channel(member.user_id), payload)

    async def unread(self, group_id: str, user_id: str, last_read_seq: int) -> None:
        """The user moved their read marker in a group (their other devices follow)."""
        payload = {
            "type": EventType.UNREAD_CHANGED.value,
            "groupId": group_id,
            "lastReadSeq": last_read_seq,
        }
        await self._publish(user_channel(user_id), payload)

    async def _publish(self, channel: str, payload: dict[str, Any]) -> None:
        try:
            await self._bus.publish(channel, payload)
            if (metrics := observed()) is not None:
                metrics.events_published.labels(payload["type"]).inc()
        except Exception:
            logger.warning("could not publish %s on %s", payload["type"], channel, exc_info=True)
