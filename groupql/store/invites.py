"""The `invites` collection: invitation codes to join a group."""

from datetime import datetime
from enum import Enum

from bson import ObjectId
from pymongo import DESCENDING

from groupql.changes import Changes
from groupql.records import Invite
from groupql.store.collection import Collection, Document
from groupql.store.documents import changed_document, object_id
from groupql.store.tables import Table, id_key

INVITES = Table(
    Invite,
    id=id_key(),
    code="code",
    group_id="groupId",
    created_by="createdBy",
    max_uses="maxUses",
    uses="uses",
    expires_at="expiresAt",
    revoked_at="revokedAt",
    created_at="createdAt",
)

_KEPT_CLAIMS = 1000


class UseOutcome(Enum):
    USED = "used"
    ALREADY_CLAIMED = "already claimed"
    UNUSABLE = "unusable"


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
        invite = Invite(
            id=str(ObjectId()),
            code=code,
            group_id=group_id,
            created_by=created_by,
            max_uses=max_uses,
            uses=0,
            expires_at=expires_at,
            revoked_at=None,
            created_at=now,
        )
        # usesLeft counts down, so that one conditional write can claim a use (see `use`).
        await self._collection.insert_one(
            {**INVITES.document(invite), "usesLeft": max_uses, "claims": []}
        )
        return invite

    async def usable(self, code: str, now: datetime) -> Invite | None:
        doc = await self._collection.find_one(self._usable(code, now), projection={"claims": False})
        return INVITES.record(doc) if doc else None

    async def use(self, invite: Invite, claim: str, now: datetime) -> UseOutcome:
        """Count one use of a usable invite for `claim`, once however often it is sent.

        A claim names one joining (a user, and which of their joins): a double tap or a retry
        after a timeout sends the same claim, and only the first of them takes a use.
        """
        doc = await self._collection.find_one_and_update(
            {**self._usable(invite.code, now), "claims": {"$ne": claim}},
            {
                "$inc": self._uses(invite, 1),
                # Claims only need to outlive retries: the newest thousand are kept.
                "$push": {"claims": {"$each": [claim], "$slice": -_KEPT_CLAIMS}},
            },
            projection={"claims": False},
        )
        if doc is not None:
            return UseOutcome.USED
        if await self._collection.find_one(
            {"code": invite.code, "claims": claim}, projection={"_id": True}
        ):
            return UseOutcome.ALREADY_CLAIMED
        return UseOutcome.UNUSABLE

    async def give_back(self, invite: Invite, claim: str) -> None:
        """Undo `use` for a joining that did not happen after all."""
        await self._collection.update_one(
            {"code": invite.code, "claims": claim},
            {"$inc": self._uses(invite, -1), "$pull": {"claims": claim}},
        )

    def _uses(self, invite: Invite, delta: int) -> Document:
        if invite.max_uses is None:
            return {"uses": delta}
        return {"uses": delta, "usesLeft": -delta}

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
        return INVITES.record(doc) if doc else None

    async def revoke(self, invite_id: str, now: datetime) -> Invite | None:
        doc = await changed_document(
            self._collection,
            {"_id": object_id(invite_id), "revokedAt": None},
            {"$set": INVITES.to_set(Changes(Invite, revoked_at=now))},
        )
        if doc is None:
            doc = await self._collection.find_one({"_id": object_id(invite_id)})
        return INVITES.record(doc) if doc else None

    async def page_of_group(
        self, group_id: str, *, after_id: str | None, limit: int
    ) -> list[Invite]:
        query: Document = {"groupId": group_id}
        if after_id is not None:
            query["_id"] = {"$lt": object_id(after_id)}
        docs = await self._collection.find(query).sort("_id", DESCENDING).limit(limit).to_list()
        return INVITES.records(docs)
