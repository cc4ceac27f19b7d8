"""The `items` collection: a group's feed, keyed by (groupId, seq)."""

from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING

from groupql.store.database import Collection
from groupql.store.documents import Document
from groupql.store.records import Item, ItemType


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

    async def insert(
        self,
        *,
        group_id: str,
        seq: int,
        type: ItemType,
        author_id: str,
        text: str | None,
        now: datetime,
    ) -> Item:
        doc: Document = {
            "_id": ObjectId(),
            "groupId": group_id,
            "seq": seq,
            "type": type.value,
            "authorId": author_id,
            "text": text,
            "createdAt": now,
        }
        await self._collection.insert_one(doc)
        return _item(doc)

    async def page_newest_first(
        self, group_id: str, *, before_seq: int | None, limit: int
    ) -> list[Item]:
        query: Document = {"groupId": group_id}
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        docs = await self._collection.find(query).sort("seq", DESCENDING).limit(limit).to_list()
        return [_item(doc) for doc in docs]
