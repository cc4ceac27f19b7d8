"""Live updates: the events groupFeed and myEvents stream, and the subscriptions themselves."""

import asyncio
import datetime
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

import strawberry

from groupql.context import Info
from groupql.records import RankingPeriod
from groupql.schema.groups import Group
from groupql.schema.items import GroupItem
from groupql.schema.members import Member
from groupql.schema.notifications import Notification
from groupql.schema.serving import serve
from groupql.schema.shared_results import shared_event
from groupql.schema.unread import Unread
from groupql.services.events import EventType
from groupql.services.live import FeedInterrupted, LiveEvent
from groupql.services.my_events import MyEvent as MyEventRecord
from groupql.services.notifications import NotificationRead

# 1013 "try again later": the server could not keep this socket's feed going.
TRY_AGAIN_LATER = 1013


@strawberry.interface(description="An event about one item, which carries the item's seq.")
class ItemEvent:
    seq: int
    item: GroupItem


@strawberry.type(description="A new item (also replayed after afterSeq).")
class ItemPosted(ItemEvent):
    pass


@strawberry.type(description="An item's text changed, or a question got its accepted answer.")
class ItemEdited(ItemEvent):
    pass


@strawberry.type(description="An item was deleted; it stays as a tombstone.")
class ItemDeleted(ItemEvent):
    pass


@strawberry.type(description="An item was pinned (pinned: true) or unpinned.")
class ItemPinned(ItemEvent):
    pinned: bool


@strawberry.type(description="A poll's votes changed; item.poll has the new counts.")
class PollUpdated(ItemEvent):
    pass


@strawberry.interface(description="An event about one membership.")
class MemberEvent:
    member: Member


@strawberry.type(description="Someone joined (status ACTIVE), or asked to (status PENDING).")
class MemberJoined(MemberEvent):
    pass


@strawberry.type
class MemberLeft(MemberEvent):
    pass


@strawberry.type(description="A member was removed or banned (or, for moderators, turned away).")
class MemberRemoved(MemberEvent):
    pass


@strawberry.type
class MemberRoleChanged(MemberEvent):
    pass


@strawberry.type(description="A member changed their display name in the group.")
class MemberUpdated(MemberEvent):
    pass


@strawberry.type(description="The group's settings, title, announcement or owner changed.")
class GroupUpdated:
    group: Group


@strawberry.type(
    description="Scores of a metric changed: a leaderboard showing it refetches. Coalesced: "
    "at most one per metric every GROUPQL_RANKING_EVENT_INTERVAL_S seconds. `period` and "
    "`date` say the shortest period that changed; the longer ones around it changed too. "
    "posts and acceptedAnswers change with ItemPosted and ItemEdited, which tell it already."
)
class RankingChanged:
    metric: str
    period: RankingPeriod
    date: datetime.date


GroupEvent = Annotated[
    ItemPosted
    | ItemEdited
    | ItemDeleted
    | ItemPinned
    | PollUpdated
    | MemberJoined
    | MemberLeft
    | MemberRemoved
    | MemberRoleChanged
    | MemberUpdated
    | GroupUpdated
    | RankingChanged,
    strawberry.union("GroupEvent"),
]


@strawberry.type(description="The viewer joined a group, or asked to.")
class JoinedGroup:
    group: Group
    member: Member


@strawberry.type(description="The viewer was removed, banned or turned away.")
class RemovedFromGroup:
    group: Group
    member: Member


@strawberry.type(description="A new notification for the viewer.")
class NotificationAdded:
    notification: Notification


@strawberry.type(
    description="The viewer's unread counts of a group changed: someone posted, an item "
    "mentioning them was deleted, or they read it on another device."
)
class UnreadChanged:
    group: Group
    unread: Unread


MyEvent = Annotated[
    JoinedGroup | RemovedFromGroup | NotificationAdded | UnreadChanged,
    strawberry.union("MyEvent"),
]

_ITEM_EVENTS = {
    EventType.ITEM_POSTED: ItemPosted,
    EventType.ITEM_EDITED: ItemEdited,
    EventType.ITEM_DELETED: ItemDeleted,
    EventType.POLL_UPDATED: PollUpdated,
}
_MEMBER_EVENTS = {
    EventType.MEMBER_JOINED: MemberJoined,
    EventType.MEMBER_LEFT: MemberLeft,
    EventType.MEMBER_REMOVED: MemberRemoved,
    EventType.MEMBER_ROLE_CHANGED: MemberRoleChanged,
    EventType.MEMBER_UPDATED: MemberUpdated,
}


def group_event(event: LiveEvent) -> GroupEvent:
    if event.item is not None and event.seq is not None:
        item = serve(GroupItem, event.item)
        if event.type in (EventType.ITEM_PINNED, EventType.ITEM_UNPINNED):
            return ItemPinned(seq=event.seq, item=item, pinned=event.type is EventType.ITEM_PINNED)
        return _ITEM_EVENTS[event.type](seq=event.seq, item=item)  # type: ignore[return-value]
    if event.member is not None:
        member = serve(Member, event.member)
        return _MEMBER_EVENTS[event.type](member=member)  # type: ignore[return-value]
    if event.ranking is not None:
        metric, period, day = event.ranking
        return RankingChanged(metric=metric, period=period, date=day)
    return GroupUpdated(group=serve(Group, event.group))


def my_event(event: MyEventRecord) -> MyEvent:
    group = serve(Group, event.group)
    if event.notification is not None:
        read = NotificationRead(event.notification, read_at=None)
        return NotificationAdded(notification=serve(Notification, read))
    if event.unread is not None:
        return UnreadChanged(group=group, unread=serve(Unread, event.unread))
    assert event.member is not None
    kind = JoinedGroup if event.type is EventType.JOINED_GROUP else RemovedFromGroup
    return kind(group=group, member=serve(Member, event.member))


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description=(
            "The group's events. With afterSeq, first every item after that seq, then live "
            "events, with no gap and no duplicate: pass the last seq you saw when you reconnect."
        )
    )
    async def group_feed(
        self, info: Info, group_id: strawberry.ID, after_seq: int | None = None
    ) -> AsyncIterator[GroupEvent]:
        viewer = await info.context.viewer()
        return _fresh(
            info, info.context.services.live.group_feed(viewer, group_id, after_seq), _served
        )

    @strawberry.subscription(
        description="The viewer's own events: groups joined, removals, new notifications, and "
        "each change of a group's unread counts (for a chat list's badges)."
    )
    async def my_events(self, info: Info) -> AsyncIterator[MyEvent]:
        viewer = await info.context.viewer()
        return _fresh(info, info.context.services.live.my_events(viewer), _my_event)


E = TypeVar("E", LiveEvent, MyEventRecord)
S = TypeVar("S")


async def _served(event: LiveEvent) -> GroupEvent:
    """The event as GraphQL serves it: for an event from the bus, one object that every local
    subscriber of its message reads, so that they can share what executing it makes."""
    message = event.message
    if message is None:
        return group_event(event)

    async def serve_once() -> GroupEvent:
        return shared_event(group_event(event))

    # By type: a subscriber that missed an item gets ITEM_POSTED where the others get the event.
    return await message.memo(("event", event.type), serve_once)


async def _my_event(event: MyEventRecord) -> MyEvent:
    return my_event(event)


async def _fresh(
    info: Info, events: AsyncIterator[E], served: Callable[[E], Awaitable[S]]
) -> AsyncIterator[S]:
    """Each event served with fresh loaders; an interrupted feed closes the socket."""
    try:
        async for event in events:
            # The subscribers of one event on this instance share its event-wide loaders: N
            # sockets asking for the author cost one read, not N. Viewer loaders start afresh.
            await info.context.renew_loaders(event.message)
            yield await served(event)
    except FeedInterrupted as interrupted:
        resume = (
            f"; resubscribe with afterSeq: {interrupted.resume_after_seq}"
            if interrupted.resume_after_seq is not None
            else "; reconnect"
        )
        await info.context.disconnect(TRY_AGAIN_LATER, f"Feed interrupted{resume}")
        # Ending the stream now would make the protocol handler send "complete" on the closed
        # socket; it cancels this operation as soon as it sees the close instead.
        await asyncio.Event().wait()
