"""Where the viewer stands in a group, and joining one (by shareTicket, invitation or creation)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from groupql.changes import Changes
from groupql.errors import Banned, Conflict, Forbidden, NotFound
from groupql.records import Group, JoinPolicy, Member, MemberStatus, Role, User
from groupql.services.clock import Clock
from groupql.services.events import Events, EventType
from groupql.services.notifications import NotificationService
from groupql.services.permissions import Action, Standing, as_seen, is_allowed, require, standing
from groupql.store import Store
from groupql.versions.reading import changes_at, untimed

_STAYS = frozenset({MemberStatus.ACTIVE, MemberStatus.PENDING})
# A join retries when another request changed the membership between its read and its write.
_JOIN_ATTEMPTS = 5
# Each round of keeping an owner moves ownership once; more rounds than this would need members
# leaving as fast as the group can hand it on.
_OWNER_ROUNDS = 10


@dataclass(frozen=True)
class Access:
    """Where someone stands in a group: the group, their membership (if any) and its standing."""

    group: Group
    member: Member | None
    standing: Standing

    def require(self, action: Action) -> "Access":
        require(self.standing, action)
        return self

    def allows(self, action: Action) -> bool:
        return is_allowed(self.standing, action)


@dataclass(frozen=True)
class JoinResult:
    group: Group
    member: Member
    group_created: bool


class MembershipService:
    def __init__(
        self, *, store: Store, clock: Clock, events: Events, notifications: NotificationService
    ) -> None:
        self._store = store
        self._notifications = notifications
        self._events = events
        self._clock = clock

    async def access(self, viewer: User, group_id: str) -> Access:
        """Where the viewer stands in a group; NOT_FOUND when there is no such group."""
        [group] = await self._store.groups.get_many([group_id])
        if group is None:
            raise NotFound("No group has that id.")
        return self.access_of(
            group, await self._store.members.get(group_id=group.id, user_id=viewer.id)
        )

    def access_of(self, group: Group, member: Member | None) -> Access:
        """Access from a membership already loaded (a request's DataLoader batches those)."""
        now = untimed(self._clock)()
        if member is not None and member.muted_until is not None and member.muted_until > now:
            changes_at(member.muted_until)  # the mute ends: the standing changes then
        return Access(group, member, standing(group, member, now))

    async def members_of(self, keys: Sequence[tuple[str, str]]) -> list[Member | None]:
        """The active members with these (groupId, userId), as clients see them (the owner
        OWNER), in one query per group (a ranking page's members are of one group)."""
        by_group: dict[str, list[str]] = {}
        for group_id, user_id in keys:
            by_group.setdefault(group_id, []).append(user_id)
        groups = await self._store.groups.get_many(list(by_group))
        found: dict[tuple[str, str], Member] = {}
        for group in groups:
            if group is None:
                continue
            for member in await self._store.members.active_among(group.id, by_group[group.id]):
                found[(group.id, member.user_id)] = as_seen(group, member)
        return [found.get(key) for key in keys]

    async def memberships_of(self, user_id: str, group_ids: Sequence[str]) -> list[Member | None]:
        found = await self._store.members.of_user_in_groups(user_id, group_ids)
        by_group = {member.group_id: member for member in found}
        return [by_group.get(group_id) for group_id in group_ids]

    async def member_of(self, group: Group, user_id: str) -> Member:
        member = await self._store.members.get(group_id=group.id, user_id=user_id)
        if member is None:
            raise NotFound("That user has no membership in this group.")
        return member

    def is_muted(self, member: Member) -> bool:
        return member.muted_until is not None and member.muted_until > self._clock()

    async def join(
        self, group: Group, user_id: str, *, group_openid: str | None = None
    ) -> tuple[Member, bool]:
        """Make the user a member (or a pending one) as the group's policy says.

        Returns the membership and whether this call changed it. Active and pending members stay
        as they are; banned users are refused; anyone else joins anew.
        """
        # The owner (a group's creator, or whoever it was handed to) is never kept waiting.
        # An ownerless group (its last member left) is taken by whoever comes next.
        is_owner = group.owner_id in (user_id, None)
        status = MemberStatus.ACTIVE if is_owner else self._status_on_join(group)
        role = Role.ADMIN if group.owner_id == user_id else Role.MEMBER
        for _ in range(_JOIN_ATTEMPTS):
            existing = await self._store.members.get(group_id=group.id, user_id=user_id)
            if existing is not None and existing.status in _STAYS:
                return as_seen(group, existing), False
            if existing is not None and existing.status is MemberStatus.BANNED:
                raise Banned()
            if status is None:
                raise Forbidden("This group takes no new members.")
            # What was said before someone joined is history, not unread.
            [last_seq] = await self._store.items.last_seqs([group.id])
            if existing is None:
                member, created = await self._store.members.find_or_create(
                    group_id=group.id,
                    user_id=user_id,
                    role=role,
                    status=status,
                    group_openid=group_openid,
                    last_read_seq=last_seq,
                    now=self._clock(),
                )
                if created:
                    return await self._joined(group, member), True
                continue
            rejoined = await self._store.members.change(
                Changes(
                    Member,
                    status=status,
                    role=Role.MEMBER,
                    joined_at=self._clock(),
                    muted_until=None,
                    last_read_seq=last_seq,
                ),
                group_id=group.id,
                user_id=user_id,
                when_status=[existing.status],
            )
            if rejoined is not None:
                return await self._joined(group, rejoined), True
        raise Conflict("Your membership changed while joining; retry.")

    async def keep_an_active_owner(self, group_id: str) -> None:
        """Make the group's owner an active member (the longest-standing admin, else member),
        or nobody when no member is active.

        Called after every change that can leave the owner gone: a leave, a removal. Each step
        is one conditional write of who owns, and the loop reads again after it: whichever of
        racing requests writes last has seen the final memberships, so no interleaving leaves a
        departed owner while someone active remains.
        """
        for _ in range(_OWNER_ROUNDS):
            [group] = await self._store.groups.get_many([group_id], fresh=True)
            owner = None if group is None else group.owner_id
            if group is None or (owner is not None and await self.is_active(group_id, owner)):
                return
            successor = await self._store.members.longest_standing(
                group_id, Role.ADMIN, excluding=owner or ""
            ) or await self._store.members.longest_standing(
                group_id, Role.MEMBER, excluding=owner or ""
            )
            new_owner = None if successor is None else successor.user_id
            if new_owner == owner:
                return
            await self._store.groups.claim_ownership(group_id, from_owner=owner, to_owner=new_owner)
        raise Conflict("The group's members changed too fast to hand it on; retry.")

    async def is_active(self, group_id: str, user_id: str) -> bool:
        """From the store itself: a check after a write (keep_an_active_owner)."""
        member = await self._store.members.get(group_id=group_id, user_id=user_id, fresh=True)
        return member is not None and member.status is MemberStatus.ACTIVE

    async def _joined(self, group: Group, member: Member) -> Member:
        # A group whose last member left has no owner: the next active member takes it. Always
        # tried (one conditional write), not only when the group read said so: the last leaver
        # may be handing on at this instant, and it reads the memberships only once more.
        if member.status is MemberStatus.ACTIVE and await self._store.groups.claim_ownership(
            group.id, from_owner=None, to_owner=member.user_id
        ):
            group = replace(group, owner_id=member.user_id)
        await self._events.member(EventType.MEMBER_JOINED, member)
        if member.status is MemberStatus.PENDING:
            await self._notifications.join_requested(member)
        return as_seen(group, member)

    def _status_on_join(self, group: Group) -> MemberStatus | None:
        policy = group.settings.join_policy
        if policy is JoinPolicy.CLOSED:
            return None
        return MemberStatus.PENDING if policy is JoinPolicy.APPROVAL else MemberStatus.ACTIVE
