"""Running a group: roles, ownership, removals and bans, mutes, approvals, leaving."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from groupql.changes import Changes
from groupql.errors import BadUserInput, Conflict
from groupql.records import Group, Member, MemberStatus, Role, User
from groupql.services.clock import Clock
from groupql.services.events import Events, EventType
from groupql.services.membership import MembershipService
from groupql.services.notifications import NotificationService
from groupql.services.permissions import Action, as_seen, rank, require_outranks
from groupql.store import Store

_PRESENT = (MemberStatus.ACTIVE, MemberStatus.PENDING)
_REMOVABLE = (*_PRESENT, MemberStatus.LEFT, MemberStatus.REJECTED, MemberStatus.REMOVED)
_TO_ADMIN = Changes(Member, role=Role.ADMIN)


class ModerationService:
    def __init__(
        self,
        *,
        store: Store,
        membership: MembershipService,
        clock: Clock,
        events: Events,
        notifications: NotificationService,
    ) -> None:
        self._store = store
        self._notifications = notifications
        self._events = events
        self._membership = membership
        self._clock = clock

    async def set_role(self, viewer: User, *, group_id: str, user_id: str, role: Role) -> Member:
        if role is Role.OWNER:
            raise BadUserInput("To make someone the owner, use transferOwnership.")
        access = (await self._membership.access(viewer, group_id)).require(Action.SET_MEMBER_ROLE)
        target = await self._membership.member_of(access.group, user_id)
        require_outranks(access.standing, rank(access.group, target))
        changed = await self._change(
            access.group,
            target,
            Changes(Member, role=role),
            when_status=[MemberStatus.ACTIVE],
            when_role=target.role,
        )
        await self._events.member(EventType.MEMBER_ROLE_CHANGED, changed)
        if changed.role is not target.role:
            await self._notifications.role_changed(changed, viewer)
        return changed

    async def transfer_ownership(self, viewer: User, *, group_id: str, user_id: str) -> Group:
        access = await self._membership.access(viewer, group_id)
        access.require(Action.TRANSFER_OWNERSHIP)
        target = await self._membership.member_of(access.group, user_id)
        if target.status is not MemberStatus.ACTIVE or target.user_id == viewer.id:
            raise BadUserInput("Ownership passes only to another active member.")
        # group.ownerId is the one source of truth about who owns: one conditional write moves
        # it, so of two racing transfers exactly one wins. The target is made ADMIN first, so a
        # removal or mute aimed at them as a plain member (filtered on that role) now fails.
        promoted = await self._store.members.change(
            _TO_ADMIN, group_id=group_id, user_id=user_id, when_status=[MemberStatus.ACTIVE]
        )
        if promoted is None:
            raise Conflict("That member left meanwhile; reload the group.")
        if not await self._store.groups.claim_ownership(
            group_id, from_owner=viewer.id, to_owner=user_id
        ):
            raise Conflict("Ownership changed meanwhile; reload the group.")
        if not await self._membership.is_active(group_id, user_id):
            # The new owner left between the two writes: the group goes back to the viewer.
            await self._store.groups.claim_ownership(
                group_id, from_owner=user_id, to_owner=viewer.id
            )
            raise Conflict("That member left meanwhile; reload the group.")
        old_owner = await self._store.members.change(
            _TO_ADMIN, group_id=group_id, user_id=viewer.id, when_status=[MemberStatus.ACTIVE]
        )
        for member in (target, old_owner):
            if member is not None:
                await self._events.member(EventType.MEMBER_ROLE_CHANGED, member)
        await self._notifications.role_changed(target, viewer)
        await self._events.group(replace(access.group, owner_id=user_id))
        return replace(access.group, owner_id=user_id)

    async def remove(self, viewer: User, *, group_id: str, user_id: str, ban: bool) -> Member:
        access = await self._membership.access(viewer, group_id)
        access.require(Action.BAN_MEMBER if ban else Action.REMOVE_MEMBER)
        target = await self._membership.member_of(access.group, user_id)
        require_outranks(access.standing, rank(access.group, target))
        status = MemberStatus.BANNED if ban else MemberStatus.REMOVED
        removed = await self._change(
            access.group,
            target,
            Changes(Member, status=status, role=Role.MEMBER, ranks_steps=False),
            when_status=_REMOVABLE,
            when_role=target.role,
        )
        await self._store.scores.drop(group_id, user_id)  # former members drop out of rankings
        # The group may have been handed to them this instant (by an owner leaving).
        await self._membership.keep_an_active_owner(group_id)
        await self._events.member(EventType.MEMBER_REMOVED, removed)
        return removed

    async def unban(self, viewer: User, *, group_id: str, user_id: str) -> Member:
        access = (await self._membership.access(viewer, group_id)).require(Action.UNBAN_MEMBER)
        target = await self._membership.member_of(access.group, user_id)
        if target.status is not MemberStatus.BANNED:
            raise BadUserInput("That user is not banned.")
        return await self._change(
            access.group,
            target,
            Changes(Member, status=MemberStatus.REMOVED),
            when_status=[MemberStatus.BANNED],
        )

    async def mute(
        self, viewer: User, *, group_id: str, user_id: str, until: datetime | None
    ) -> Member:
        access = (await self._membership.access(viewer, group_id)).require(Action.MUTE_MEMBER)
        if until is not None and until <= self._clock():
            raise BadUserInput("'until' must be in the future; pass null to unmute.")
        target = await self._membership.member_of(access.group, user_id)
        require_outranks(access.standing, rank(access.group, target))
        return await self._change(
            access.group,
            target,
            Changes(Member, muted_until=until),
            when_status=[MemberStatus.ACTIVE],
            when_role=target.role,
        )

    async def decide(self, viewer: User, *, group_id: str, user_id: str, approve: bool) -> Member:
        access = (await self._membership.access(viewer, group_id)).require(Action.APPROVE_MEMBER)
        target = await self._membership.member_of(access.group, user_id)
        status = MemberStatus.ACTIVE if approve else MemberStatus.REJECTED
        decided = await self._change(
            access.group,
            target,
            Changes(Member, status=status, joined_at=self._clock()),
            when_status=[MemberStatus.PENDING],
        )
        await self._events.member(
            EventType.MEMBER_JOINED if approve else EventType.MEMBER_REMOVED, decided
        )
        if approve:
            await self._notifications.approved(decided, viewer)
        return decided

    async def leave(self, viewer: User, group_id: str) -> Member:
        access = (await self._membership.access(viewer, group_id)).require(Action.LEAVE)
        assert access.member is not None
        left = await self._change(
            access.group,
            access.member,
            Changes(
                Member,
                status=MemberStatus.LEFT,
                role=Role.MEMBER,
                muted_until=None,
                ranks_steps=False,
            ),
            when_status=_PRESENT,
        )
        await self._store.scores.drop(group_id, viewer.id)  # former members drop out of rankings
        # Whoever owns now (the viewer, or someone handing the group to them this instant)
        # must be someone still here.
        await self._membership.keep_an_active_owner(group_id)
        await self._events.member(EventType.MEMBER_LEFT, left)
        return left

    async def _change(
        self,
        group: Group,
        target: Member,
        changes: Changes[Member],
        *,
        when_status: Sequence[MemberStatus],
        when_role: Role | None = None,
    ) -> Member:
        """Change the target's membership if it is still in `statuses` (and `when_role`)."""
        changed = await self._store.members.change(
            changes,
            group_id=group.id,
            user_id=target.user_id,
            when_status=when_status,
            when_role=when_role,
        )
        if changed is None:
            if target.status not in when_status:
                raise BadUserInput(f"That member is {target.status.value.lower()}.")
            raise Conflict("The membership changed meanwhile; reload and retry.")
        return as_seen(group, changed)
