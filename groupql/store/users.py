"""The `users` collection: one document per (appid, openid)."""

from collections.abc import Sequence
from datetime import datetime

from groupql.changes import Changes
from groupql.records import User
from groupql.store.collection import Collection
from groupql.store.documents import get_many, upsert
from groupql.store.tables import Table, id_key

USERS = Table(
    User,
    id=id_key(),
    openid="openid",
    unionid="unionid",
    created_at="createdAt",
    encrypted_session_key="sessionKey",
)


class Users:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def record_login(
        self,
        *,
        appid: str,
        openid: str,
        unionid: str | None,
        encrypted_session_key: bytes,
        now: datetime,
    ) -> User:
        """Create the user on first login; on every login replace the stored session key."""
        # A login without a unionid (the user follows no official account yet) keeps a known one.
        known = {} if unionid is None else {"unionid": unionid}
        fields = USERS.to_set(Changes(User, encrypted_session_key=encrypted_session_key, **known))
        doc, _ = await upsert(
            self._collection,
            {"appid": appid, "openid": openid},
            {
                "$set": {**fields, "lastLoginAt": now},
                "$setOnInsert": USERS.to_set(Changes(User, created_at=now)),
            },
        )
        return USERS.record(doc)

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        return await get_many(self._collection, ids, USERS.record)
