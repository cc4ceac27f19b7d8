"""Notifications: what happened to a user in their groups, kept in a feed they page and mark read.

Each is written once per recipient (a mention of 30 writes 30), or once for a whole audience: an
@all once for the group, a join request once for its admins, so neither grows with the group.
Nobody is notified of what they did themselves, by a group whose notifications they turned off
(level NONE), or by a group they are no longer in.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from groupql.errors import BadUserInput, NotFound
from groupql.records import (
    Group,
    Item,
    ItemType,
    Member,
    MemberStatus,
    Notification,
    NotificationKind,
    NotificationLevel,
    Role,
    User,
)
from groupql.services.clock import Clock
from groupql.services.events import Events
from groupql.services.outbox import OutboxService
from groupql.services.pagination import Page, decode_cursor, page_size, paginate
from groupql.services.permissions import rank
from groupql.store import Store
from groupql.store.notifications import (
    Reach,
    last_id_at,
    new_id,
    to_admins,
    to_group,
    to_user,
)

# The feed reads the notifications of this many of the user's groups, the most recently joined.
MAX_GROUPS_IN_FEED = 1000

Addressed = tuple[str, Notification]


@dataclass(frozen=True)
class NotificationRead:
    """A notification with when the viewer marked it read (None: unread)."""

    notification: Notification
    read_at: datetime | None


class NotificationService:
    def __init__(
        self, *, store: Store, events: Events, outbox: OutboxService, clock: Clock
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._events = events
        self._clock = clock

    # What makes notifications.

    async def item_posted(
        self, item: Item, mentioned: Sequence[Member], parent: Item | None
    ) -> None:
        await self._outbox.new_item(item)
        notes = [self._to(member, NotificationKind.MENTION, item) for member in mentioned]
        if item.content.mentions_all:
            notes.append((to_group(item.group_id), self._new(NotificationKind.MENTION_ALL, item)))
        named = {member.user_id for member in mentioned}
        if parent is not None and parent.author_id not in named | {item.author_id}:
            kind = (
                NotificationKind.ANSWER
                if parent.type is ItemType.QUESTION
                else NotificationKind.REPLY
            )
            author = await self._store.members.get(group_id=item.group_id, user_id=parent.author_id)
            notes.append(self._to(author, kind, item))
        await self._add(notes)

    async def mentions_added(self, item: Item, mentioned: Sequence[Member]) -> None:
        """An edit named these members anew."""
        await self._add([self._to(member, NotificationKind.MENTION, item) for member in mentioned])

    async def answer_accepted(self, question: Item, answer: Item, by: User) -> None:
        if answer.author_id != by.id:
            author = await self._store.members.get(
                group_id=answer.group_id, user_id=answer.author_id
            )
            await self._add([self._to(author, NotificationKind.ANSWER_ACCEPTED, answer, by.id)])

    async def role_changed(self, member: Member, by: User) -> None:
        if member.user_id != by.id:
            await self._add(
                [self._to(member, NotificationKind.ROLE_CHANGED, None, by.id, member.group_id)]
            )

    async def approved(self, member: Member, by: User) -> None:
        await self._add([self._to(member, NotificationKind.APPROVED, None, by.id, member.group_id)])

    async def join_requested(self, member: Member) -> None:
        """Someone asks to join: one notification for all the group's admins."""
        note = self._new(NotificationKind.JOIN_REQUEST, None, member.user_id, member.group_id)
        await self._add([(to_admins(member.group_id), note)])

    async def polls_closed(self) -> int:
        """Tell the voters of each poll that closed since the last sweep; how many polls. Each
        poll is claimed by one conditional write, so concurrent sweeps tell each voter once."""
        told = 0
        while polls := await self._store.items.claim_closed_polls(now=self._clock(), limit=50):
            for poll in polls:
                voters = await self._store.votes.voters(poll.id)
                members = await self._store.members.active_among(poll.group_id, voters)
                await self._add(
                    [
                        self._to(m, NotificationKind.POLL_CLOSED, poll, poll.author_id)
                        for m in members
                    ]
                )
            told += len(polls)
        return told

    # Reading and marking the feed.

    async def page(
        self, viewer: User, *, first: int | None, after: str | None, unread_only: bool
    ) -> Page[NotificationRead]:
        """The viewer's notifications, newest first, from the groups they are in."""
        size = page_size(first)
        before_id = decode_cursor("notifications", after, self._store.is_id)
        reach = await self._reach(viewer)
        found = await self._store.notifications.page(
            viewer.id,
            reach,
            before_id=before_id,
            after_id=viewer.notifications_read_up_to if unread_only else None,
            limit=size + 1,
        )
        read = [NotificationRead(one, self._read_at(viewer, one)) for one in found]
        return paginate(read, size, "notifications", lambda one: one.notification.id)

    async def mark_read(self, viewer: User, up_to: str | None) -> User:
        """Every notification up to `up_to` (None: all so far) is read; the marker never moves
        back."""
        if up_to is None:
            newest = await self._store.notifications.newest_id(viewer.id, await self._reach(viewer))
            if newest is None:
                return viewer
            marker = newest
        elif not self._store.is_id(up_to):
            raise BadUserInput("'upTo' must be a notification's id.")
        else:
            # Not past now: a marker in the future would mark unseen notifications read.
            marker = min(up_to, last_id_at(self._clock()), key=ObjectId)
        user = await self._store.users.mark_notifications_read(
            viewer.id, up_to=marker, now=self._clock()
        )
        if user is None:
            raise NotFound("That user no longer exists.")
        return user

    async def _reach(self, viewer: User) -> list[Reach]:
        members = [
            member
            for member in await self._store.members.active_of_user(
                viewer.id, limit=MAX_GROUPS_IN_FEED
            )
            if member.notification_level is not NotificationLevel.NONE
        ]
        groups = await self._store.groups.get_many([member.group_id for member in members])
        return [
            Reach(
                group_id=member.group_id,
                joined_at=member.joined_at,
                is_admin=_is_admin(group, member),
            )
            for member, group in zip(members, groups, strict=True)
            if group is not None
        ]

    def _read_at(self, viewer: User, notification: Notification) -> datetime | None:
        up_to = viewer.notifications_read_up_to
        if up_to is None or ObjectId(notification.id) > ObjectId(up_to):
            return None
        return viewer.notifications_read_at

    def _to(
        self,
        member: Member | None,
        kind: NotificationKind,
        item: Item | None,
        actor_id: str | None = None,
        group_id: str | None = None,
    ) -> Addressed | None:
        """A notification for `member`, unless they are gone or turned the group off."""
        if (
            member is None
            or member.status is not MemberStatus.ACTIVE
            or member.notification_level is NotificationLevel.NONE
        ):
            return None
        return to_user(member.user_id), self._new(kind, item, actor_id, group_id)

    def _new(
        self,
        kind: NotificationKind,
        item: Item | None,
        actor_id: str | None = None,
        group_id: str | None = None,
    ) -> Notification:
        group = group_id or (item.group_id if item is not None else None)
        assert group is not None, "a notification is about a group"
        now = self._clock()
        return Notification(
            id=new_id(now),
            kind=kind,
            group_id=group,
            created_at=now,
            item_id=None if item is None else item.id,
            actor_id=actor_id or (item.author_id if item is not None else None),
        )

    async def _add(self, notes: Sequence[Addressed | None]) -> None:
        addressed = [note for note in notes if note is not None]
        if addressed:
            await self._store.notifications.add(addressed)
            await self._events.notifications(addressed)
            await self._outbox.gather(addressed)


def _is_admin(group: Group | None, member: Member) -> bool:
    return group is not None and rank(group, member) in (Role.OWNER, Role.ADMIN)
