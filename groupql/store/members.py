"""The `members` collection: one document per (group, user)."""

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, DESCENDING

from groupql.store.database import Collection
from groupql.store.documents import Document, object_id, upsert
from groupql.store.records import Member, MemberStatus, Role


def _member(doc: Document) -> Member:
    return Member(
        id=str(doc["_id"]),
        group_id=doc["groupId"],
        user_id=doc["userId"],
        role=Role(doc["role"]),
        status=MemberStatus(doc["status"]),
        joined_at=doc["joinedAt"],
        group_openid=doc.get("groupOpenid"),
    )


class Members:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def find_or_create(
        self, *, group_id: str, user_id: str, role: Role, group_openid: str | None, now: datetime
    ) -> tuple[Member, bool]:
        update: Document = {
            "$setOnInsert": {
                "role": role.value,
                "status": MemberStatus.ACTIVE.value,
                "joinedAt": now,
            }
        }
        if group_openid is not None:
            update["$set"] = {"groupOpenid": group_openid}
        doc, created = await upsert(
            self._collection, {"groupId": group_id, "userId": user_id}, update
        )
        return _member(doc), created

    async def of_user_in_groups(self, user_id: str, group_ids: Sequence[str]) -> list[Member]:
        docs = await self._collection.find(
            {"userId": user_id, "groupId": {"$in": list(group_ids)}}
        ).to_list()
        return [_member(doc) for doc in docs]

    async def page_of_group(
        self, group_id: str, *, after_id: str | None, limit: int
    ) -> list[Member]:
        """Members in join order (their ids grow with time), from just after `after_id`."""
        query: Document = {"groupId": group_id, "status": MemberStatus.ACTIVE.value}
        if after_id is not None:
            query["_id"] = {"$gt": object_id(after_id)}
        docs = await self._collection.find(query).sort("_id", ASCENDING).limit(limit).to_list()
        return [_member(doc) for doc in docs]

    async def page_of_user(
        self, user_id: str, *, before_id: str | None, limit: int
    ) -> list[Member]:
        """A user's memberships, most recent first, from just before `before_id`."""
        query: Document = {"userId": user_id, "status": MemberStatus.ACTIVE.value}
        if before_id is not None:
            query["_id"] = {"$lt": object_id(before_id)}
        docs = await self._collection.find(query).sort("_id", DESCENDING).limit(limit).to_list()
        return [_member(doc) for doc in docs]
