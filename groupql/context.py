"""Per-request context: the services, the caller's credentials, the viewer and the DataLoaders."""

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from groupql.errors import Unauthenticated
from groupql.services import Services
from groupql.services.membership import Access
from groupql.store.records import Group, Item, Member, PollTally, User


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send the token as 'Authorization: Bearer <token>'.")
    return token.strip()


@dataclass
class Loaders:
    """One DataLoader per access path, so a page of N rows costs one round trip per path."""

    users: DataLoader[str, User | None]
    groups: DataLoader[str, Group | None]
    items: DataLoader[str, Item | None]
    member_counts: DataLoader[str, int]
    last_seqs: DataLoader[str, int]
    reply_counts: DataLoader[str, int]
    poll_tallies: DataLoader[str, PollTally]

    @classmethod
    def for_request(cls, services: Services) -> "Loaders":
        return cls(
            users=DataLoader(load_fn=services.store.users.get_many),
            groups=DataLoader(load_fn=services.store.groups.get_many),
            items=DataLoader(load_fn=services.items.get_many),
            member_counts=DataLoader(load_fn=services.groups.member_counts),
            last_seqs=DataLoader(load_fn=services.items.last_seqs),
            reply_counts=DataLoader(load_fn=services.items.reply_counts),
            poll_tallies=DataLoader(load_fn=services.polls.tallies),
        )


@dataclass
class Context:
    services: Services
    authorization: str | None
    websocket: WebSocket | None = None
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = field(init=False)
    _viewer: "asyncio.Future[User] | None" = field(default=None, init=False)
    _ballots: "DataLoader[str, tuple[str, ...]] | None" = field(default=None, init=False)
    _memberships: "DataLoader[str, Member | None] | None" = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_request(self.services)

    def renew_loaders(self, loaders: Loaders | None = None) -> None:
        """Forget what was loaded: a subscription reads each event's data fresh (through
        `loaders` when the event's subscribers share them; the viewer's own are never shared)."""
        self.loaders = loaders or Loaders.for_request(self.services)
        self._memberships = None
        self._ballots = None

    async def new_loaders(self) -> Loaders:
        return Loaders.for_request(self.services)

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

    async def viewer(self) -> User:
        """The logged-in caller; UNAUTHENTICATED when the request carries no valid token."""
        # Root fields resolve concurrently: they share one look-up of the token.
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._authenticate())
        return await asyncio.shield(self._viewer)

    async def access(self, group: Group) -> Access:
        """Where the viewer stands in a group; one batched look-up per request and group."""
        member = await (await self._viewer_memberships()).load(group.id)
        return self.services.membership.access_with(group, member)

    async def remember_access(self, access: Access) -> None:
        """Keep an access already checked, so the group's fields need not look it up again."""
        (await self._viewer_memberships()).prime(access.group.id, access.member)

    async def _viewer_memberships(self) -> "DataLoader[str, Member | None]":
        viewer = await self.viewer()
        if self._memberships is None:
            self._memberships = DataLoader(
                load_fn=lambda ids: self.services.membership.memberships_of(viewer.id, ids)
            )
        return self._memberships

    async def viewer_ballots(self) -> "DataLoader[str, tuple[str, ...]]":
        """The viewer's ballot per poll item id."""
        viewer = await self.viewer()
        if self._ballots is None:
            self._ballots = DataLoader(
                load_fn=lambda ids: self.services.polls.ballots_of(viewer, ids)
            )
        return self._ballots

    async def _authenticate(self) -> User:
        token = bearer_token(self.authorization)
        if token is None:
            raise Unauthenticated()
        return await self.services.auth.authenticate(token)
