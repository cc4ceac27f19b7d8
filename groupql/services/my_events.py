"""What the viewer's own live feed (myEvents) hears: their joins and removals, their new
notifications, and each change of a group's unread counts, for a chat list's badges.

One socket listens on the viewer's own channel and on the channel of each of their groups. The
unread counts are kept per socket from the events themselves: a post costs its subscribers no
store read (the item is read once per instance for all of them). Only what can lower a mention
count (a deletion, an edit, the viewer's own markRead elsewhere) re-counts, for that viewer.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from groupql.realtime.bus import EventBus, Merged, Message
from groupql.records import (
    Group,
    Member,
    MemberStatus,
    Notification,
    NotificationLevel,
    Role,
    User,
)
from groupql.services.events import EventType, group_channel, user_channel
from groupql.services.permissions import as_seen, rank
from groupql.services.unread import Unread, unread_of
from groupql.store import Store
from groupql.store.notifications import Audience, audience_of

# myEvents follows the unread counts of this many of the viewer's groups, the latest joined.
MAX_FOLLOWED_GROUPS = 1000
_OWN = frozenset({EventType.JOINED_GROUP, EventType.REMOVED_FROM_GROUP})
_MAY_LOWER_MENTIONS = frozenset({EventType.ITEM_EDITED, EventType.ITEM_DELETED})
_OWN_MEMBERSHIP = frozenset(
    {EventType.MEMBER_LEFT, EventType.MEMBER_UPDATED, EventType.MEMBER_ROLE_CHANGED}
)


@dataclass(frozen=True)
class MyEvent:
    type: EventType
    group: Group
    member: Member | None = None
    notification: Notification | None = None
    unread: Unread | None = None
    message: Message | None = None


@dataclass
class _Followed:
    member: Member
    last_seq: int
    mentions: int
    # The counts were read from the store after subscribing: they hold every item up to this
    # seq, whose events (queued meanwhile) must not count again.
    counted_up_to: int

    @property
    def unread(self) -> Unread:
        return unread_of(self.member, self.last_seq, self.mentions)


class MyEvents:
    """One viewer's myEvents: the channels it listens on, and the unread counts it keeps."""

    def __init__(self, store: Store, bus: EventBus, viewer: User, buffer_size: int) -> None:
        self._store = store
        self._bus = bus
        self._viewer = viewer
        self._channels = Merged(buffer_size)
        self._followed: dict[str, _Followed] = {}

    async def stream(self) -> AsyncIterator[MyEvent]:
        try:
            self._channels.add(await self._bus.subscribe(user_channel(self._viewer.id)))
            members = await self._store.members.active_of_user(
                self._viewer.id, limit=MAX_FOLLOWED_GROUPS
            )
            await self._follow(members)
            async for channel, message in self._channels:
                async for event in self._events(channel, message):
                    yield event
        finally:
            self._channels.close()

    async def _follow(self, members: list[Member]) -> None:
        """Listen on these groups, and count their unread from the store once."""
        members = [member for member in members if member.group_id not in self._followed]
        if not members:
            return
        for member in members:
            self._channels.add(await self._bus.subscribe(group_channel(member.group_id)))
        group_ids = [member.group_id for member in members]
        last_seqs = await self._store.items.last_seqs(group_ids)
        mentions = await self._store.items.mention_counts(
            self._viewer.id,
            [
                (member.group_id, member.last_read_seq, last_seq)
                for member, last_seq in zip(members, last_seqs, strict=True)
            ],
        )
        for member, last_seq, count in zip(members, last_seqs, mentions, strict=True):
            self._followed[member.group_id] = _Followed(member, last_seq, count, last_seq)

    def _unfollow(self, group_id: str) -> None:
        self._followed.pop(group_id, None)
        self._channels.remove(group_channel(group_id))

    async def _events(self, channel: str, message: Message) -> AsyncIterator[MyEvent]:
        payload = message.payload
        event_type = EventType(payload["type"])
        group_id = payload["groupId"]
        if event_type in _OWN:
            event = await self._own(event_type, message)
            if event is not None:
                yield event
            return
        if event_type is EventType.NOTIFICATION_ADDED:
            event = await self._notification(channel, message)
            if event is not None:
                yield event
            return
        followed = self._followed.get(group_id)
        if followed is None:
            return
        if payload.get("userId") == self._viewer.id and event_type in _OWN_MEMBERSHIP:
            await self._membership_changed(followed, event_type, message)
            return
        before = followed.unread
        if event_type is EventType.ITEM_POSTED:
            await self._posted(followed, message)
        elif event_type in _MAY_LOWER_MENTIONS and payload["seq"] > followed.member.last_read_seq:
            await self._recount(followed)
        elif event_type is EventType.UNREAD_CHANGED:
            member = replace(
                followed.member,
                last_read_seq=max(followed.member.last_read_seq, payload["lastReadSeq"]),
            )
            followed.member = member
            await self._recount(followed)
        if followed.unread != before:
            group = await self._group(message)
            if group is not None:
                yield MyEvent(EventType.UNREAD_CHANGED, group, unread=followed.unread)

    async def _membership_changed(
        self, followed: _Followed, event_type: EventType, message: Message
    ) -> None:
        """The viewer left, or their role or notification level changed: follow it."""
        if event_type is EventType.MEMBER_LEFT:
            self._unfollow(followed.member.group_id)
            return
        member = await self._store.members.get(
            group_id=followed.member.group_id, user_id=self._viewer.id
        )
        if member is None or member.status is not MemberStatus.ACTIVE:
            self._unfollow(followed.member.group_id)
            return
        # The read marker only moves forward, whichever read came first.
        last_read_seq = max(member.last_read_seq, followed.member.last_read_seq)
        followed.member = replace(member, last_read_seq=last_read_seq)

    async def _own(self, event_type: EventType, message: Message) -> MyEvent | None:
        """A join or removal of the viewer's: told as before, and followed or unfollowed."""
        group = await self._group(message)
        member = await message.memo(
            "member",
            lambda: self._store.members.get(
                group_id=message.payload["groupId"], user_id=message.payload["userId"]
            ),
        )
        if group is None or member is None:
            return None
        if member.status is MemberStatus.ACTIVE:
            await self._follow([member])
        else:
            self._unfollow(group.id)
        return MyEvent(event_type, group, member=as_seen(group, member), message=message)

    async def _notification(self, channel: str, message: Message) -> MyEvent | None:
        payload = message.payload
        group_id = payload["groupId"]
        audience = audience_of(payload["to"])
        if audience is not None:
            # For a whole group, or its admins: this viewer, if they follow the group and
            # have not turned it off, and (for admins) run it.
            followed = self._followed.get(group_id)
            if followed is None or followed.member.notification_level is NotificationLevel.NONE:
                return None
        elif channel != user_channel(self._viewer.id):
            return None
        [notification] = await message.memo(
            "notification",
            lambda: self._store.notifications.get_many([payload["notificationId"]]),
        )
        group = await self._group(message)
        if notification is None or group is None or notification.actor_id == self._viewer.id:
            return None
        followed = self._followed.get(group_id)
        if (
            audience is not None
            and audience[0] is Audience.ADMINS
            and (followed is None or rank(group, followed.member) not in (Role.OWNER, Role.ADMIN))
        ):
            return None
        return MyEvent(
            EventType.NOTIFICATION_ADDED, group, notification=notification, message=message
        )

    async def _posted(self, followed: _Followed, message: Message) -> None:
        seq = message.payload["seq"]
        if seq <= followed.counted_up_to:
            return
        followed.last_seq = max(followed.last_seq, seq)
        [item] = await message.memo(
            "item", lambda: self._store.items.get_many([message.payload["itemId"]])
        )
        if item is None or seq <= followed.member.last_read_seq:
            return
        if item.author_id == self._viewer.id:
            # Posting marks the group read up to one's own item.
            followed.member = replace(followed.member, last_read_seq=seq)
            await self._recount(followed)
        elif self._viewer.id in item.content.mentions or item.content.mentions_all:
            followed.mentions += 1

    async def _recount(self, followed: _Followed) -> None:
        """Count the mentions from the store again, up to the newest item this socket has
        heard of: the events of those, however late they come, count no more."""
        member = followed.member
        [followed.mentions] = await self._store.items.mention_counts(
            self._viewer.id, [(member.group_id, member.last_read_seq, followed.last_seq)]
        )
        followed.counted_up_to = followed.last_seq

    async def _group(self, message: Message) -> Group | None:
        [group] = await message.memo(
            "group", lambda: self._store.groups.get_many([message.payload["groupId"]])
        )
        return group
