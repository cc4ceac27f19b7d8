"""Read markers and unread counts: exact, uncapped, and free for members nobody mentioned.

A member's document holds the seq of the newest item they have read. Seqs have no holes, so the
unread count is the group's last seq minus the marker: no write per post per member. A deleted
item keeps its seq and counts like any other (clients show its tombstone, "message deleted"),
so the count never depends on a scan. Mentions are counted from the items after the marker that
name the member or @all: one indexed query, whatever the group's size.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from groupql.errors import BadUserInput, NotFound
from groupql.records import Member, NotificationLevel, User
from groupql.services.events import Events
from groupql.services.membership import MembershipService
from groupql.services.permissions import Action
from groupql.store import Store

# Viewer.unread adds up this many of the viewer's groups, the most recently joined.
MAX_GROUPS_IN_TOTALS = 1000


@dataclass(frozen=True)
class Unread:
    count: int
    mention_count: int
    first_unread_seq: int | None


@dataclass(frozen=True)
class UnreadTotals:
    count: int
    mention_count: int
    group_count: int


def unread_of(member: Member, last_seq: int, mention_count: int) -> Unread:
    count = max(0, last_seq - member.last_read_seq)
    return Unread(
        count=count,
        mention_count=mention_count,
        first_unread_seq=member.last_read_seq + 1 if count else None,
    )


class UnreadService:
    def __init__(self, *, store: Store, membership: MembershipService, events: Events) -> None:
        self._store = store
        self._events = events
        self._membership = membership

    async def mark_read(self, viewer: User, group_id: str, seq: int) -> Unread:
        """Move the viewer's marker to `seq` (past the newest item: to it); never back."""
        if seq < 0:
            raise BadUserInput("'seq' must be 0 or more.")
        access = (await self._membership.access(viewer, group_id)).require(Action.VIEW_GROUP)
        [last_seq] = await self._store.items.last_seqs([access.group.id])
        member = await self._store.members.mark_read(
            group_id=access.group.id, user_id=viewer.id, seq=min(seq, last_seq)
        )
        if member is None:
            raise NotFound("You are no longer a member of this group.")
        await self._events.unread(group_id, viewer.id, member.last_read_seq)
        [mentions] = await self.mention_counts(
            viewer.id, [(group_id, member.last_read_seq, last_seq)]
        )
        return unread_of(member, last_seq, mentions)

    async def mention_counts(
        self, user_id: str, reads: Sequence[tuple[str, int, int]]
    ) -> list[int]:
        """Unread mentions of the user in each (groupId, lastReadSeq, lastSeq)."""
        return await self._store.items.mention_counts(user_id, reads)

    async def totals(self, viewer: User) -> UnreadTotals:
        """Unread items and mentions over the viewer's groups (those whose notifications they
        turned off do not count), in three round trips."""
        members = [
            member
            for member in await self._store.members.active_of_user(
                viewer.id, limit=MAX_GROUPS_IN_TOTALS
            )
            if member.notification_level is not NotificationLevel.NONE
        ]
        if not members:
            return UnreadTotals(count=0, mention_count=0, group_count=0)
        group_ids = [member.group_id for member in members]
        last_seqs = await self._store.items.last_seqs(group_ids)
        mentions = await self.mention_counts(
            viewer.id,
            [
                (member.group_id, member.last_read_seq, last_seq)
                for member, last_seq in zip(members, last_seqs, strict=True)
            ],
        )
        unread = [
            unread_of(member, last_seq, mention_count)
            for member, last_seq, mention_count in zip(members, last_seqs, mentions, strict=True)
        ]
        return UnreadTotals(
            count=sum(one.count for one in unread),
            mention_count=sum(one.mention_count for one in unread),
            group_count=sum(1 for one in unread if one.count),
        )
