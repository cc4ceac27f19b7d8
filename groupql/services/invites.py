"""Invitations: codes that let people join a group (app groups have no shareTicket)."""

import secrets
from datetime import datetime

from groupql.errors import BadUserInput, NotFound
from groupql.records import Invite, JoinPolicy, User
from groupql.services.clock import Clock
from groupql.services.membership import Access, JoinResult, MembershipService
from groupql.services.pagination import Page, decode_cursor, page_size, paginate
from groupql.services.permissions import Action, Standing
from groupql.store import Store
from groupql.store.invites import UseOutcome

MAX_INVITE_USES = 10_000
_CODE_BYTES = 9  # 12 URL-safe characters: unguessable, short enough to type or put in a QR code


class InviteService:
    def __init__(self, *, store: Store, membership: MembershipService, clock: Clock) -> None:
        self._store = store
        self._membership = membership
        self._clock = clock

    async def create(
        self,
        viewer: User,
        *,
        group_id: str,
        max_uses: int | None,
        expires_at: datetime | None,
    ) -> Invite:
        access = await self._membership.access(viewer, group_id)
        access.require(
            Action.INVITE_WHEN_MEMBERS_CAN_INVITE
            if access.group.settings.members_can_invite
            else Action.INVITE
        )
        if max_uses is not None and not 1 <= max_uses <= MAX_INVITE_USES:
            raise BadUserInput(f"'maxUses' must be 1 to {MAX_INVITE_USES}, or null.")
        now = self._clock()
        if expires_at is not None and expires_at <= now:
            raise BadUserInput("'expiresAt' must be in the future, or null.")
        return await self._store.invites.create(
            code=secrets.token_urlsafe(_CODE_BYTES),
            group_id=group_id,
            created_by=viewer.id,
            max_uses=max_uses,
            expires_at=expires_at,
            now=now,
        )

    async def join(self, viewer: User, code: str) -> JoinResult:
        code = code.strip()
        invite = await self._store.invites.usable(code, self._clock())
        if invite is None:
            raise _not_usable()
        try:
            access = await self._membership.access(viewer, invite.group_id)
        except NotFound:
            raise _not_usable() from None
        group = access.group
        would_join = access.standing in (Standing.OUTSIDER, Standing.FORMER) and (
            group.settings.join_policy is not JoinPolicy.CLOSED
        )
        # Count the use before joining: of racing joiners, only those who got a use join. The
        # claim names this joining (the user, and when their last membership began), so the
        # same user tapping twice uses one, and coming back after leaving uses another.
        member = access.member
        claim = f"{viewer.id}:{member.joined_at.isoformat() if member else 'new'}"
        outcome = UseOutcome.ALREADY_CLAIMED
        if would_join:
            outcome = await self._store.invites.use(invite, claim, self._clock())
            if outcome is UseOutcome.UNUSABLE:
                raise _not_usable()
        changed = False
        try:
            joined, changed = await self._membership.join(group, viewer.id)
        finally:
            if outcome is UseOutcome.USED and not changed:
                await self._store.invites.give_back(invite, claim)
        return JoinResult(group=group, member=joined, group_created=False)

    async def revoke(self, viewer: User, invite_id: str) -> Invite:
        invite = await self._store.invites.get(invite_id) if self._store.is_id(invite_id) else None
        if invite is None:
            raise NotFound("No invitation has that id.")
        access = await self._membership.access(viewer, invite.group_id)
        access.require(
            Action.REVOKE_OWN_INVITE if invite.created_by == viewer.id else Action.REVOKE_ANY_INVITE
        )
        revoked = await self._store.invites.revoke(invite.id, self._clock())
        return revoked or invite

    async def page(self, access: Access, *, first: int | None, after: str | None) -> Page[Invite]:
        group = access.group
        access.require(Action.VIEW_MODERATION)
        size = page_size(first)
        invites = await self._store.invites.page_of_group(
            group.id, after_id=decode_cursor("invites", after, self._store.is_id), limit=size + 1
        )
        return paginate(invites, size, "invites", lambda invite: invite.id)


def _not_usable() -> NotFound:
    return NotFound("That invitation is unknown, revoked, expired or used up.")
