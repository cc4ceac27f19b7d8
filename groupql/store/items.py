"""The `items` collection: a group's feed, keyed by (groupId, seq)."""

from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from groupql.errors import Conflict
from groupql.store.database import Collection
from groupql.store.documents import Document
from groupql.store.records import Item, ItemType

# Appends to one group race for the next seq; each loser retries with the one after. Dozens of
# writers posting to one group in the same instant would be needed to exhaust this.
_APPEND_ATTEMPTS = 64


def _item(doc: Document) -> Item:
    return Item(
        id=str(doc["_id"]),
        group_id=doc["groupId"],
        seq=doc["seq"],
        type=ItemType(doc["type"]),
        author_id=doc["authorId"],
        text=doc.get("text"),
        created_at=doc["createdAt"],
    )


class Items:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def append(
        self,
        *,
        group_id: str,
        type: ItemType,
        author_id: str,
        text: str | None,
        now: datetime,
    ) -> Item:
        """Add an item with the group's next seq.

        The seq is the last stored one plus one, claimed by the unique (groupId, seq) index. So
        seq N is stored only once N - 1 is: readers never see a hole, not even for a moment, and
        a writer that dies has claimed nothing.
        """
        for _ in range(_APPEND_ATTEMPTS):
            [last_seq] = await self.last_seqs([group_id])
            doc: Document = {
                "_id": ObjectId(),
                "groupId": group_id,
                "seq": last_seq + 1,
                "type": type.value,
                "authorId": author_id,
                "text": text,
                "createdAt": now,
            }
            try:
                await self._collection.insert_one(doc)
            except DuplicateKeyError:
                continue
            return _item(doc)
        raise Conflict("The group is busy; retry the post.")

    async def last_seqs(self, group_ids: Sequence[str]) -> list[int]:
        """The seq of each group's newest item (0 when it has none), in one round trip."""
        found = await self._collection.aggregate(
            [
                {"$match": {"groupId": {"$in": list(group_ids)}}},
                # Sorted along the (groupId, seq) index, $first reads one entry per group.
                {"$sort": {"groupId": DESCENDING, "seq": DESCENDING}},
                {"$group": {"_id": "$groupId", "seq": {"$first": "$seq"}}},
            ]
        )
        by_group = {doc["_id"]: doc["seq"] async for doc in found}
        return [by_group.get(group_id, 0) for group_id in group_ids]

    async def page_newest_first(
        self, group_id: str, *, before_seq: int | None, limit: int
    ) -> list[Item]:
        query: Document = {"groupId": group_id}
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        docs = await self._collection.find(query).sort("seq", DESCENDING).limit(limit).to_list()
        return [_item(doc) for doc in docs]
