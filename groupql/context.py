"""Per-request context: the services, the caller's credentials, the viewer and the DataLoaders."""

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from groupql.errors import Unauthenticated
from groupql.services import Services
from groupql.store.records import Group, User


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

    @classmethod
    def for_request(cls, services: Services) -> "Loaders":
        return cls(
            users=DataLoader(load_fn=services.store.users.get_many),
            groups=DataLoader(load_fn=services.store.groups.get_many),
        )


@dataclass
class Context:
    services: Services
    authorization: str | None
    loaders: Loaders = field(init=False)
    _viewer: User | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders.for_request(self.services)

    async def viewer(self) -> User:
        """The logged-in caller; UNAUTHENTICATED when the request carries no valid token."""
        if self._viewer is None:
            token = bearer_token(self.authorization)
            if token is None:
                raise Unauthenticated()
            self._viewer = await self.services.auth.authenticate(token)
        return self._viewer
