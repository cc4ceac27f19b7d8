"""The `members` collection: one document per (group, user), whatever its status."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import itemgetter

from pymongo import ASCENDING, DESCENDING

from groupql.changes import Changes
from groupql.records import Member, MemberStatus, NotificationLevel, Role
from groupql.store.collection import Collection, Document
from groupql.store.documents import changed_document, object_id, upsert
from groupql.store.kept_reads import KeptReads, Unkept
from groupql.store.tables import Table, enum_key, id_key

MEMBERS = Table(
    Member,
    id=id_key(),
    group_id="groupId",
    user_id="userId",
    role=enum_key(Role, "role"),
    status=enum_key(MemberStatus, "status"),
    joined_at="joinedAt",
    group_openid="groupOpenid",
    muted_until="mutedUntil",
    display_name="displayName",
    last_read_seq="lastReadSeq",
    notification_level=enum_key(NotificationLevel, "notificationLevel"),
    ranks_steps="ranksSteps",
)


class Members:
    def __init__(
        self,
        collection: Collection,
        *,
        kept_counts: KeptReads[str, int] | Unkept,
        kept_members: KeptReads[tuple[str, str], Member | None] | Unkept,
    ) -> None:
        self._collection = collection
        self._kept_counts = kept_counts
        self._kept_members = kept_members

    async def find_or_create(
        self,
        *,
        group_id: str,
        user_id: str,
        role: Role,
        status: MemberStatus,
        group_openid: str | None,
        last_read_seq: int,
        now: datetime,
    ) -> tuple[Member, bool]:
        update: Document = {
            "$setOnInsert": MEMBERS.to_set(
                Changes(
                    Member,
                    role=role,
                    status=status,
                    joined_at=now,
                    muted_until=None,
                    last_read_seq=last_read_seq,
                )
            )
        }
        if group_openid is not None:
            update["$set"] = MEMBERS.to_set(Changes(Member, group_openid=group_openid))
        doc, created = await upsert(
            self._collection, {"groupId": group_id, "userId": user_id}, update
        )
        return MEMBERS.record(doc), created

    async def get(self, *, group_id: str, user_id: str, fresh: bool = False) -> Member | None:
        """A user's membership of a group (kept: groupql.store.kept_reads, by the group); `fresh`
        from the store itself (a check after a write, which must see a racing writer's)."""
        if fresh:
            [member] = await self._get([(group_id, user_id)])
        else:
            [member] = await self._kept_members.get_many(
                [(group_id, user_id)], self._get, scope_key=itemgetter(0)
            )
        return member

    async def _get(self, keys: Sequence[tuple[str, str]]) -> list[Member | None]:
        [(group_id, user_id)] = keys
        doc = await self._collection.find_one({"groupId": group_id, "userId": user_id})
        return [MEMBERS.record(doc) if doc else None]

    async def change(
        self,
        changes: Changes[Member],
        *,
        group_id: str,
        user_id: str,
        when_status: Iterable[MemberStatus],
        when_role: Role | None = None,
    ) -> Member | None:
        """Apply `changes` only if the member is in one of `when_status` (and has `when_role`);
        None if not.

        The status (and role) in the filter make each change happen once, and only to the
        membership the caller read, whoever races for it.
        """
        query: Document = {
            "groupId": group_id,
            "userId": user_id,
            "status": {"$in": [status.value for status in when_status]},
        }
        if when_role is not None:
            query["role"] = when_role.value
        doc = await changed_document(self._collection, query, {"$set": MEMBERS.to_set(changes)})
        return MEMBERS.record(doc) if doc else None

    async def mark_read(self, *, group_id: str, user_id: str, seq: int) -> Member | None:
        """Move an active member's read marker up to `seq`, never back (racing marks keep the
        highest); None if they are not an active member."""
        doc = await changed_document(
            self._collection,
            {"groupId": group_id, "userId": user_id, "status": MemberStatus.ACTIVE.value},
            {"$max": MEMBERS.to_set(Changes(Member, last_read_seq=seq))},
        )
        return MEMBERS.record(doc) if doc else None

    async def active_among(self, group_id: str, user_ids: Sequence[str]) -> list[Member]:
        """The active members of a group among `user_ids` (a post's mentions)."""
        docs = await self._collection.find(
            {
                "groupId": group_id,
                "userId": {"$in": list(user_ids)},
                "status": MemberStatus.ACTIVE.value,
            }
        ).to_list()
        return MEMBERS.records(docs)

    async def active_of_user(self, user_id: str, *, limit: int) -> list[Member]:
        """A user's active memberships, most recent first, at most `limit`."""
        return await self._page(
            {"userId": user_id, "status": MemberStatus.ACTIVE.value}, None, limit, DESCENDING
        )

    async def ranking_steps(self, user_id: str, *, limit: int) -> list[Member]:
        """A user's active memberships whose groups rank their steps."""
        return await self._page(
            {"userId": user_id, "status": MemberStatus.ACTIVE.value, "ranksSteps": True},
            None,
            limit,
            DESCENDING,
        )

    async def count_unnotified(self, group_ids: Sequence[str]) -> list[int]:
        """How many active members of each group turned its notifications off."""
        counts = await self._collection.aggregate(
            [
                {
                    "$match": {
                        "groupId": {"$in": list(group_ids)},
                        "status": MemberStatus.ACTIVE.value,
                        "notificationLevel": NotificationLevel.NONE.value,
                    }
                },
                {"$group": {"_id": "$groupId", "count": {"$sum": 1}}},
            ]
        )
        by_group = {doc["_id"]: doc["count"] async for doc in counts}
        return [by_group.get(group_id, 0) for group_id in group_ids]

    async def of_user_in_groups(self, user_id: str, group_ids: Sequence[str]) -> list[Member]:
        docs = await self._collection.find(
            {"userId": user_id, "groupId": {"$in": list(group_ids)}}
        ).to_list()
        return MEMBERS.records(docs)

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
        return MEMBERS.records(docs)

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
        return MEMBERS.record(doc) if doc else None

    async def count_active(self, group_ids: Sequence[str]) -> list[int]:
        """How many active members each group has, counted in one round trip (none when every
        group's count is kept: groupql.store.kept_reads)."""
        return await self._kept_counts.get_many(group_ids, self._count_active)

    async def _count_active(self, group_ids: Sequence[str]) -> list[int]:
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
