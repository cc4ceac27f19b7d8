"""The `sessions` collection: bearer tokens, stored only as hashes."""

from datetime import datetime

from groupql.store.database import Collection
from groupql.store.records import Session


class Sessions:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def create(
        self, *, token_hash: str, user_id: str, created_at: datetime, expires_at: datetime
    ) -> None:
        await self._collection.insert_one(
            {
                "tokenHash": token_hash,
                "userId": user_id,
                "createdAt": created_at,
                "expiresAt": expires_at,
            }
        )

    async def find_unexpired(self, token_hash: str, now: datetime) -> Session | None:
        doc = await self._collection.find_one({"tokenHash": token_hash, "expiresAt": {"$gt": now}})
        if doc is None:
            return None
        return Session(user_id=doc["userId"], expires_at=doc["expiresAt"])
