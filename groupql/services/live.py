"""Live feeds: a group's events in seq order, resumable without gaps or duplicates."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date

from groupql.errors import BadUserInput
from groupql.realtime.bus import BusUnavailable, EventBus, FellBehind, Message, Subscription
from groupql.records import Group, Item, Member, MemberStatus, RankingPeriod, User
from groupql.services.events import EventType, group_channel
from groupql.services.membership import MembershipService
from groupql.services.my_events import MyEvent, MyEvents
from groupql.services.permissions import Action, as_seen
from groupql.store import Store
from groupql.store.outages import is_outage

_REPLAY_PAGE = 100
# Member events that every member may see; pending and turned-away ones are for moderators.
_PUBLIC_STATUSES = frozenset(
    {MemberStatus.ACTIVE, MemberStatus.LEFT, MemberStatus.REMOVED, MemberStatus.BANNED}
)


@dataclass(frozen=True)
class LiveEvent:
    type: EventType
    group: Group
    seq: int | None = None
    item: Item | None = None
    member: Member | None = None
    # RANKING_CHANGED: the metric, and the period of this kind around the day.
    ranking: tuple[str, RankingPeriod, date] | None = None
    # The bus message it came from, shared by every local subscriber (None when read from
    # the store): what they all need to load for it is loaded once, through its memo.
    message: Message | None = None


class FeedInterrupted(Exception):
    """The feed stopped through no fault of the client, which resumes with `afterSeq`."""

    def __init__(self, reason: str, resume_after_seq: int | None) -> None:
        super().__init__(reason)
        self.resume_after_seq = resume_after_seq


class LiveService:
    def __init__(
        self, *, store: Store, membership: MembershipService, bus: EventBus, buffer_size: int
    ) -> None:
        self._store = store
        self._buffer = buffer_size
        self._membership = membership
        self._bus = bus

    async def group_feed(
        self, viewer: User, group_id: str, after_seq: int | None
    ) -> AsyncIterator[LiveEvent]:
        """The group's events from now on, or from just after `after_seq`.

        Subscribing comes first, reading the store second: an item posted in between arrives
        both ways and is sent once, by seq. An item whose event overtakes an earlier one's
        (two posts racing) is preceded by the earlier items, read from the store.
        """
        if after_seq is not None and after_seq < 0:
            raise BadUserInput("'afterSeq' must be 0 or more.")
        # Subscribing before checking access: a removal that lands in between is then either
        # seen by the check or delivered as an event, never missed.
        subscription = await self._subscribe(group_channel(group_id), after_seq)
        last_seq = after_seq or 0
        # Until the feed knows where it starts, an interrupted client resubscribes as it came.
        knows_last_seq = after_seq is not None
        try:
            access = (await self._membership.access(viewer, group_id)).require(Action.VIEW_GROUP)
            may_moderate = access.allows(Action.VIEW_MODERATION)
            if after_seq is None:
                [last_seq] = await self._store.items.last_seqs([group_id])
                knows_last_seq = True
            else:
                async for item in self._items_after(group_id, after_seq, until=None):
                    yield LiveEvent(EventType.ITEM_POSTED, access.group, item.seq, item)
                    last_seq = item.seq
            # Each feed's own reading of the group goes: live events bring the records they need.
            del access
            async for message in subscription:
                event = await self._event(message)
                if event is None:
                    continue
                if event.seq is not None and event.seq > last_seq:
                    # Every item gets its ITEM_POSTED first, in seq order: the missing ones
                    # from the store, this one from the event.
                    if event.seq > last_seq + 1:
                        async for item in self._items_after(group_id, last_seq, until=event.seq):
                            yield LiveEvent(EventType.ITEM_POSTED, event.group, item.seq, item)
                    if event.type is not EventType.ITEM_POSTED:
                        yield replace(event, type=EventType.ITEM_POSTED)
                    last_seq = event.seq
                elif event.type is EventType.ITEM_POSTED:
                    continue
                member = event.member
                if member is not None and member.user_id == viewer.id:
                    # The viewer's own membership changed: go on only while they may see.
                    current = self._membership.access_of(event.group, member)
                    may_moderate = current.allows(Action.VIEW_MODERATION)
                    yield event
                    if member.status is MemberStatus.LEFT:
                        return
                    current.require(Action.VIEW_GROUP)
                elif member is None or may_moderate or member.status in _PUBLIC_STATUSES:
                    yield event
        except (FellBehind, BusUnavailable) as error:
            raise FeedInterrupted(str(error), last_seq if knows_last_seq else None) from error
        except Exception as error:
            if not is_outage(error):
                raise
            resume = last_seq if knows_last_seq else None
            raise FeedInterrupted("the database did not answer", resume) from error
        finally:
            subscription.close()

    async def my_events(self, viewer: User) -> AsyncIterator[MyEvent]:
        """The viewer's own events: groups joined, removals, notifications, unread counts."""
        try:
            async for event in MyEvents(self._store, self._bus, viewer, self._buffer).stream():
                yield event
        except (FellBehind, BusUnavailable) as error:
            raise FeedInterrupted(str(error), None) from error
        except Exception as error:
            if not is_outage(error):
                raise
            raise FeedInterrupted("the database did not answer", None) from error

    async def _subscribe(self, channel: str, resume_after_seq: int | None) -> Subscription:
        try:
            return await self._bus.subscribe(channel)
        except BusUnavailable as error:
            raise FeedInterrupted(str(error), resume_after_seq) from error

    async def _items_after(
        self, group_id: str, after_seq: int, until: int | None
    ) -> AsyncIterator[Item]:
        """Stored items with after_seq < seq (< until), oldest first."""
        while until is None or after_seq + 1 < until:
            items = await self._store.items.after_seq(group_id, after_seq, limit=_REPLAY_PAGE)
            for item in items:
                if until is not None and item.seq >= until:
                    return
                yield item
                after_seq = item.seq
            if len(items) < _REPLAY_PAGE:
                return

    async def _event(self, message: Message) -> LiveEvent | None:
        """The event a message tells of, read once for all subscribers here: they wait for it
        together, once, rather than once per record it reads."""
        read = await message.memo("live event", lambda: self._read_event(message))
        if read is None:
            return None
        # The memo keeps the event without its message: with it, each would keep the other.
        return LiveEvent(
            read.type, read.group, read.seq, read.item, read.member, read.ranking, message
        )

    async def _read_event(self, message: Message) -> LiveEvent | None:
        payload = message.payload
        event_type = EventType(payload["type"])
        [group] = await message.memo(
            "group", lambda: self._store.groups.get_many([payload["groupId"]])
        )
        if group is None:
            return None
        item = member = None
        if "itemId" in payload:
            [item] = await message.memo(
                "item", lambda: self._store.items.get_many([payload["itemId"]])
            )
            if item is None:
                return None
        if "userId" in payload:
            member = await message.memo(
                "member",
                lambda: self._store.members.get(group_id=group.id, user_id=payload["userId"]),
            )
            if member is None:
                return None
            member = as_seen(group, member)
        ranking = None
        if event_type is EventType.RANKING_CHANGED:
            period = RankingPeriod(payload["period"])
            ranking = (payload["metric"], period, date.fromisoformat(payload["day"]))
        return LiveEvent(event_type, group, payload.get("seq"), item, member, ranking)
