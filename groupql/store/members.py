"""The `members` collection: one document per (group, user), whatever its status."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument

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
        muted_until=doc.get("mutedUntil"),
    )


class Members:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def find_or_create(
        self,
        *,
        group_id: str,
        user_id: str,
        role: Role,
        status: MemberStatus,
        group_openid: str | None,
        now: datetime,
    ) -> tuple[Member, bool]:
        update: Document = {
            "$setOnInsert": {"role": role.value, "status": status.value, "joinedAt": now}
        }
        if group_openid is not None:
            update["$set"] = {"groupOpenid": group_openid}
        doc, created = await upsert(
            self._collection, {"groupId": group_id, "userId": user_id}, update
        )
        return _member(doc), created

    async def get(self, group_id: str, user_id: str) -> Member | None:
        doc = await self._collection.find_one({"groupId": group_id, "userId": user_id})
        return _member(doc) if doc else None

    async def change(
        self,
        group_id: str,
        user_id: str,
        *,
        when_status: Iterable[MemberStatus],
        when_role: Role | None = None,
        changes: dict[str, Any],
    ) -> Member | None:
        """Apply `changes` only if the member is in one of `when_status` (and has `when_role`);
        None if not.

        The status (and role) in the filter make each change happen once, and only to the
        membership the caller read, whoever races for it.
        """
        to_set = {key: value for key, value in changes.items() if value is not None}
        to_unset = {key: "" for key, value in changes.items() if value is None}
        update: Document = {}
        if to_set:
            update["$set"] = to_set
        if to_unset:
            update["$unset"] = to_unset
        query: Document = {
            "groupId": group_id,
            "userId": user_id,
            "status": {"$in": [status.value for status in when_status]},
        }
        if when_role is not None:
            query["role"] = when_role.value
        doc = await self._collection.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER
        )
        return _member(doc) if doc else None

    async def of_user_in_groups(self, user_id: str, group_ids: Sequence[str]) -> list[Member]:
        docs = await self._collection.find(
            {"userId": user_id, "groupId": {"$in": list(group_ids)}}
        ).to_list()
        return [_member(doc) for doc in docs]

    async def page_of_group(
        self, group_id: str, status: MemberStatus, *, after_id: str | None, limit: int
    ) -> list[Member]:
        """Members in join order (ids grow with time), from just after `after_id`."""
        return await self._page(
            {"groupId": group_id, "status": status.value}, after_id, limit, ASCENDING
        )

    async def page_of_user(self, user_id: str, *, after_id: str | None, limit: int) -> list[Member]:
        """A user's active memberships, most recent first, from just after `after_id`."""
        query = {"userId": user_id, "status": MemberStatus.ACTIVE.value}
        return await self._page(query, after_id, limit, DESCENDING)

    async def _page(
        self, query: Document, after_id: str | None, limit: int, direction: int
    ) -> list[Member]:
        if after_id is not None:
            query["_id"] = {"$gt" if direction == ASCENDING else "$lt": object_id(after_id)}
        docs = await self._collection.find(query).sort("_id", direction).limit(limit).to_list()
        return [_member(doc) for doc in docs]

    async def longest_standing(self, group_id: str, role: Role, *, excluding: str) -> Member | None:
        doc = await self._collection.find_one(
            {
                "groupId": group_id,
                "status": MemberStatus.ACTIVE.value,
                "role": role.value,
                "userId": {"$ne": excluding},
            },
            sort=[("joinedAt", ASCENDING), ("_id", ASCENDING)],
        )
        return _member(doc) if doc else None

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
