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
        """Active members in join order (ids grow with time), from just after `after_id`."""
        return await self._page({"groupId": group_id}, after_id, limit, ASCENDING)

    async def page_of_user(self, user_id: str, *, after_id: str | None, limit: int) -> list[Member]:
        """A user's active memberships, most recent first, from just after `after_id`."""
        return await self._page({"userId": user_id}, after_id, limit, DESCENDING)

    async def _page(
        self, query: Document, after_id: str | None, limit: int, direction: int
    ) -> list[Member]:
        query = {**query, "status": MemberStatus.ACTIVE.value}
        if after_id is not None:
            query["_id"] = {"$gt" if direction == ASCENDING else "$lt": object_id(after_id)}
        docs = await self._collection.find(query).sort("_id", direction).limit(limit).to_list()
        return [_member(doc) for doc in docs]

    async def count_active(self, group_ids: Sequence[str]) -> list[int]:
        """How many active members each group has, counted in one round trip."""
        counts = await self._collection.aggregate(
            [
                {
                    "$match": {
                        "groupId": {"$in": list(group_ids)},
                        "status": MemberStatus.ACTIVE.value,
                    }
                },
                {"$group": {"_id": "$groupId", "count": {"$sum": 1}}},
            ]
        )
        by_group = {doc["_id"]: doc["count"] async for doc in counts}
        return [by_group.get(group_id, 0) for group_id in group_ids]
