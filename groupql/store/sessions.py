"""The `sessions` collection: bearer tokens, stored only as hashes."""

from datetime import datetime

from groupql.records import Session
from groupql.store.collection import Collection
from groupql.store.tables import Table

SESSIONS = Table(Session, user_id="userId", expires_at="expiresAt")


class Sessions:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def create(
        self, *, token_hash: str, user_id: str, created_at: datetime, expires_at: datetime
    ) -> None:
        await self._collection.insert_one(
            {
                "tokenHash": token_hash,
                "createdAt": created_at,
                **SESSIONS.document(Session(user_id=user_id, expires_at=expires_at)),
            }
        )

    async def find_unexpired(self, token_hash: str, now: datetime) -> Session | None:
        doc = await self._collection.find_one({"tokenHash": token_hash, "expiresAt": {"$gt": now}})
        return SESSIONS.record(doc) if doc else None
