"""The `users` collection: one document per (appid, openid)."""

from collections.abc import Sequence
from datetime import datetime

from groupql.store.database import Collection
from groupql.store.documents import Document, get_many, upsert
from groupql.store.records import User


def _user(doc: Document) -> User:
    return User(
        id=str(doc["_id"]),
        openid=doc["openid"],
        unionid=doc.get("unionid"),
        created_at=doc["createdAt"],
        encrypted_session_key=doc["sessionKey"],
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
        fields: Document = {"sessionKey": encrypted_session_key, "lastLoginAt": now}
        if unionid is not None:
            fields["unionid"] = unionid
        doc, _ = await upsert(
            self._collection,
            {"appid": appid, "openid": openid},
            {"$set": fields, "$setOnInsert": {"createdAt": now}},
        )
        return _user(doc)

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        return await get_many(self._collection, ids, _user)
