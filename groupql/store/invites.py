"""The `invites` collection: invitation codes to join a group."""

from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING, ReturnDocument

from groupql.store.database import Collection
from groupql.store.documents import Document, object_id
from groupql.store.records import Invite


def _invite(doc: Document) -> Invite:
    return Invite(
        id=str(doc["_id"]),
        code=doc["code"],
        group_id=doc["groupId"],
        created_by=doc["createdBy"],
        max_uses=doc.get("maxUses"),
        uses=doc["uses"],
        expires_at=doc.get("expiresAt"),
        revoked_at=doc.get("revokedAt"),
        created_at=doc["createdAt"],
    )


class Invites:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def create(
        self,
        *,
        code: str,
        group_id: str,
        created_by: str,
        max_uses: int | None,
        expires_at: datetime | None,
        now: datetime,
    ) -> Invite:
        doc: Document = {
            "_id": ObjectId(),
            "code": code,
            "groupId": group_id,
            "createdBy": created_by,
            "maxUses": max_uses,
            "uses": 0,
            # Counts down, so that one conditional write can claim a use (see `use`).
            "usesLeft": max_uses,
            "expiresAt": expires_at,
            "revokedAt": None,
            "createdAt": now,
        }
        await self._collection.insert_one(doc)
        return _invite(doc)

    async def usable(self, code: str, now: datetime) -> Invite | None:
        doc = await self._collection.find_one(self._usable(code, now))
        return _invite(doc) if doc else None

    async def use(self, invite: Invite, now: datetime) -> Invite | None:
        """Count one use of a usable invite; None if it is not usable (any more)."""
        limited = invite.max_uses is not None
        doc = await self._collection.find_one_and_update(
            self._usable(invite.code, now),
            {"$inc": {"uses": 1, "usesLeft": -1} if limited else {"uses": 1}},
            return_document=ReturnDocument.AFTER,
        )
        return _invite(doc) if doc else None

    def _usable(self, code: str, now: datetime) -> Document:
        return {
            "code": code,
            "revokedAt": None,
            "$and": [
                {"$or": [{"expiresAt": None}, {"expiresAt": {"$gt": now}}]},
                {"$or": [{"usesLeft": None}, {"usesLeft": {"$gt": 0}}]},
            ],
        }

    async def get(self, invite_id: str) -> Invite | None:
        doc = await self._collection.find_one({"_id": object_id(invite_id)})
        return _invite(doc) if doc else None

    async def revoke(self, invite_id: str, now: datetime) -> Invite | None:
        doc = await self._collection.find_one_and_update(
            {"_id": object_id(invite_id), "revokedAt": None},
            {"$set": {"revokedAt": now}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            doc = await self._collection.find_one({"_id": object_id(invite_id)})
        return _invite(doc) if doc else None

    async def page_of_group(
        self, group_id: str, *, after_id: str | None, limit: int
    ) -> list[Invite]:
        query: Document = {"groupId": group_id}
        if after_id is not None:
            query["_id"] = {"$lt": object_id(after_id)}
        docs = await self._collection.find(query).sort("_id", DESCENDING).limit(limit).to_list()
        return [_invite(doc) for doc in docs]
