"""Per-request context: the services, the caller's credentials, the viewer and the DataLoaders."""

import asyncio
from dataclasses import dataclass, field
from typing import Any

import strawberry
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from groupql.errors import RateLimited, Unauthenticated, Unavailable
from groupql.realtime.bus import Message
from groupql.records import Group, Item, Member, PollTally, Report, StoredMedia, User
from groupql.services.membership import Access
from groupql.store.outages import is_outage
from groupql.throttle import Rate, RateLimits, Throttle, in_process
from groupql.throttle.rates import whole_seconds
from groupql.wiring import Services


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send the token as 'Authorization: Bearer <token>'.")
    return token.strip()


@dataclass(frozen=True)
class Loaders:
    """Loaders whose answers are the same whoever asks: one per access path, so a page of N rows
    costs one round trip per path. The subscribers of one live event may share them.

    Built from the services alone, with no viewer in reach: a loader that depends on who asks
    belongs in `ViewerLoaders`.
    """

    users: DataLoader[str, User | None]
    groups: DataLoader[str, Group | None]
    items: DataLoader[str, Item | None]
    member_counts: DataLoader[str, int]
    last_seqs: DataLoader[str, int]
    reply_counts: DataLoader[tuple[str, str], int]  # by (groupId, itemId): the shard key leads
    poll_tallies: DataLoader[str, PollTally]
    reports: DataLoader[tuple[str, str], list[Report]]  # by (groupId, itemId)
    media: DataLoader[str, StoredMedia | None]
    # Active members by (groupId, userId), as clients see them.
    members: DataLoader[tuple[str, str], Member | None]

    @classmethod
    def on(cls, services: Services) -> "Loaders":
        return cls(
            users=DataLoader(load_fn=services.users.get_many),
            groups=DataLoader(load_fn=services.groups.get_many),
            items=DataLoader(load_fn=services.items.get_many),
            member_counts=DataLoader(load_fn=services.groups.member_counts),
            last_seqs=DataLoader(load_fn=services.items.last_seqs),
            reply_counts=DataLoader(load_fn=services.items.reply_counts),
            poll_tallies=DataLoader(load_fn=services.polls.tallies),
            reports=DataLoader(load_fn=services.review.reports_of),
            media=DataLoader(load_fn=services.uploads.get_many),
            members=DataLoader(load_fn=services.membership.members_of),
        )

    @classmethod
    async def shared_by(cls, message: Message, services: Services) -> "Loaders":
        """The loaders that every local subscriber of a live event reads that event through."""

        async def build() -> Loaders:
            return cls.on(services)

        return await message.memo("loaders", build)


@dataclass(frozen=True)
class ViewerLoaders:
    """Loaders whose answers depend on who asks; never shared between viewers."""

    memberships: DataLoader[str, Member | None]
    votes: DataLoader[str, tuple[str, ...]]
    # By (groupId, lastReadSeq, lastSeq): the viewer's unread mentions there.
    mention_counts: DataLoader[tuple[str, int, int], int]

    @classmethod
    def of(cls, services: Services, viewer: User) -> "ViewerLoaders":
        return cls(
            memberships=DataLoader(
                load_fn=lambda group_ids: services.membership.memberships_of(viewer.id, group_ids)
            ),
            votes=DataLoader(load_fn=lambda item_ids: services.polls.votes_of(viewer, item_ids)),
            mention_counts=DataLoader(
                load_fn=lambda reads: services.unread.mention_counts(viewer.id, reads)
            ),
        )


# Slots: a subscribed socket keeps its context for as long as it is open (~0.8 KiB less each).
@dataclass(slots=True)
class Context:
    services: Services
    authorization: str | None
    websocket: WebSocket | None = None
    connection_params: dict[str, Any] | None = None
    # Who is asking, for rate limits: the client's address (behind trusted proxies, the one
    # they forwarded), the throttle and the limits.
    client_address: str = "unknown"
    # This server as clients reach it, for absolute URLs of its own routes.
    public_url: str = ""
    throttle: Throttle = field(default_factory=in_process)
    rate_limits: RateLimits = field(default_factory=lambda: RateLimits(None, None, None, None))
    _loaders: Loaders | None = field(default=None, init=False)
    # The operation that ran was a query (groupql.schema.caching): its answer may be kept.
    ran_query: bool = field(default=False, init=False)
    _viewer: "asyncio.Future[User] | None" = field(default=None, init=False)
    _answered_viewer_id: str | None = field(default=None, init=False)
    _viewer_loaders: ViewerLoaders | None = field(default=None, init=False)

    @property
    def loaders(self) -> Loaders:
        # Made when first used: a request answered from the response cache uses none.
        if self._loaders is None:
            self._loaders = Loaders.on(self.services)
        return self._loaders

    async def renew_loaders(self, message: Message | None) -> None:
        """Forget what was loaded: a subscription reads each event's data fresh, through the
        loaders its subscribers share when it came from the bus; the viewer's own are new."""
        if message is None:
            self._loaders = Loaders.on(self.services)
        else:
            self._loaders = await Loaders.shared_by(message, self.services)
        self._viewer_loaders = None

    async def viewer_loaders(self) -> ViewerLoaders:
        viewer = await self.viewer()
        if self._viewer_loaders is None:
            self._viewer_loaders = ViewerLoaders.of(self.services, viewer)
        return self._viewer_loaders

    async def authenticate_socket(self) -> None:
        """Take the token from connection_init's payload; UNAUTHENTICATED without a valid one."""
        params = self.connection_params or {}
        authorization = params.get("authorization", params.get("Authorization"))
        if authorization is not None and not isinstance(authorization, str):
            raise Unauthenticated("connection_init's 'authorization' must be 'Bearer <token>'.")
        self.authorization = authorization or self.authorization
        if not self.authorization:
            raise Unauthenticated(
                "Log in first: send {'authorization': 'Bearer <token>'} "
                "as connection_init's payload."
            )
        self._viewer = None
        await self.viewer()

    async def disconnect(self, code: int, reason: str) -> None:
        if self.websocket is not None:
            await self.websocket.close(code=code, reason=reason)

    async def count(self, action: str, *, by: str, rate: Rate | None) -> None:
        """Count one `action` of `by` against `rate`; RATE_LIMITED (with retryAfter) beyond it."""
        if rate is None:
            return
        wait_s = await self.throttle.hit(f"{action}:{by}", rate)
        if wait_s is not None:
            seconds = whole_seconds(wait_s)
            raise RateLimited(
                f"Too many {action}s: at most {rate.count} a minute; retry in {seconds} s.",
                retry_after_s=seconds,
            )

    def remembered_viewer_id(self) -> str | None:
        """The viewer's id when this instance remembers the token's session (no store read);
        None when authenticating must read it (or will refuse the token)."""
        try:
            token = bearer_token(self.authorization)
        except Unauthenticated:
            return None
        return None if token is None else self.services.auth.remembered_user_id(token)

    def answered_from_cache(self, viewer_id: str) -> None:
        """The request was answered from the response cache for this viewer (for logs)."""
        self._answered_viewer_id = viewer_id

    def known_user_id(self) -> str | None:
        """The viewer's id if this request has already authenticated them (for logs)."""
        viewer = self._viewer
        if viewer is None or not viewer.done() or viewer.cancelled() or viewer.exception():
            return self._answered_viewer_id
        return viewer.result().id

    async def viewer(self) -> User:
        """The logged-in caller; UNAUTHENTICATED when the request carries no valid token."""
        # Root fields resolve concurrently: they share one look-up of the token.
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._authenticate())
        return await asyncio.shield(self._viewer)

    async def access(self, group: Group) -> Access:
        """Where the viewer stands in a group; one batched look-up per request and group."""
        member = await (await self.viewer_loaders()).memberships.load(group.id)
        return self.services.membership.access_of(group, member)

    async def remember_access(self, access: Access) -> None:
        """Keep an access already checked, so the group's fields need not look it up again."""
        (await self.viewer_loaders()).memberships.prime(access.group.id, access.member)

    async def _authenticate(self) -> User:
        token = bearer_token(self.authorization)
        if token is None:
            raise Unauthenticated()
        try:
            return await self.services.auth.authenticate(token)
        except Exception as error:
            # A socket's connection_init has no GraphQL error to carry the code: say it here.
            if is_outage(error):
                raise Unavailable() from error
            raise


Info = strawberry.Info[Context, None]
