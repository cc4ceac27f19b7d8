"""Per-request context: the services, the caller's credentials, the viewer and the DataLoaders."""

import asyncio
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from groupql.errors import Unauthenticated
from groupql.services import Services
from groupql.store.records import User


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
    member_counts: DataLoader[str, int]
    last_seqs: DataLoader[str, int]

    @classmethod
    def for_request(cls, services: Services) -> "Loaders":
        return cls(
            users=DataLoader(load_fn=services.store.users.get_many),
            member_counts=DataLoader(load_fn=services.groups.member_counts),
            last_seqs=DataLoader(load_fn=services.items.last_seqs),
        )


@dataclass
class Context:
    services: Services
    authorization: str | None
    loaders: Loaders = field(init=False)
    _viewer: "asyncio.Future[User] | None" = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_request(self.services)

    async def viewer(self) -> User:
        """The logged-in caller; UNAUTHENTICATED when the request carries no valid token."""
        # Root fields resolve concurrently: they share one look-up of the token.
        if self._viewer is None:
            self._viewer = asyncio.ensure_future(self._authenticate())
        return await asyncio.shield(self._viewer)

    async def _authenticate(self) -> User:
        token = bearer_token(self.authorization)
        if token is None:
            raise Unauthenticated()
        return await self.services.auth.authenticate(token)
