"""Users as others see them."""

from collections.abc import Sequence

from groupql.records import User
from groupql.store import Store


class UserService:
    def __init__(self, *, store: Store) -> None:
        self._store = store

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        return await self._store.users.get_many(ids)
