"""The `items` collection: a group's feed, keyed by (groupId, seq)."""

from collections.abc import Collection as Set
from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from groupql.errors import Conflict
from groupql.store.database import Collection
from groupql.store.documents import Document, get_many, object_id
from groupql.store.records import Item, ItemContent, ItemType, Link, Media, Poll, PollOption

# Appends to one group race for the next seq; each loser retries with the one after. Dozens of
# writers posting to one group in the same instant would be needed to exhaust this.
_APPEND_ATTEMPTS = 64
ALBUM_TYPES = (ItemType.IMAGE, ItemType.VIDEO)


def _content(doc: Document) -> ItemContent:
    link, poll = doc.get("link"), doc.get("poll")
    return ItemContent(
        text=doc.get("text"),
        media=tuple(
            Media(
                url=m["url"],
                mime=m["mime"],
                size=m["size"],
                width=m.get("width"),
                height=m.get("height"),
                duration_s=m.get("duration"),
                name=m.get("name"),
            )
            for m in doc.get("media", [])
        ),
        link=Link(url=link["url"], title=link.get("title")) if link else None,
        poll=Poll(
            options=tuple(PollOption(id=o["id"], text=o["text"]) for o in poll["options"]),
            is_multiple_choice=poll["multipleChoice"],
            is_anonymous=poll["anonymous"],
            closes_at=poll.get("closesAt"),
        )
        if poll
        else None,
    )


def _content_document(content: ItemContent) -> Document:
    return {
        "text": content.text,
        "media": [
            {
                "url": m.url,
                "mime": m.mime,
                "size": m.size,
                "width": m.width,
                "height": m.height,
                "duration": m.duration_s,
                "name": m.name,
            }
            for m in content.media
        ],
        "link": {"url": content.link.url, "title": content.link.title} if content.link else None,
        "poll": {
            "options": [{"id": o.id, "text": o.text} for o in content.poll.options],
            "multipleChoice": content.poll.is_multiple_choice,
            "anonymous": content.poll.is_anonymous,
            "closesAt": content.poll.closes_at,
        }
        if content.poll
        else None,
    }


def _item(doc: Document) -> Item:
    return Item(
        id=str(doc["_id"]),
        group_id=doc["groupId"],
        seq=doc["seq"],
        type=ItemType(doc["type"]),
        author_id=doc["authorId"],
        content=_content(doc),
        reply_to=doc.get("replyTo"),
        created_at=doc["createdAt"],
        edited_at=doc.get("editedAt"),
        deleted_at=doc.get("deletedAt"),
        accepted_answer_id=doc.get("acceptedAnswerId"),
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
        content: ItemContent,
        reply_to: str | None,
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
                "replyTo": reply_to,
                "createdAt": now,
                **_content_document(content),
            }
            try:
                await self._collection.insert_one(doc)
            except DuplicateKeyError:
                continue
            return _item(doc)
        raise Conflict("The group is busy; retry the post.")

    async def get_many(self, ids: Sequence[str]) -> list[Item | None]:
        return await get_many(self._collection, ids, _item)

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
        self,
        group_id: str,
        *,
        before_seq: int | None,
        types: Set[ItemType] | None,
        limit: int,
    ) -> list[Item]:
        query: Document = {"groupId": group_id}
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        if types is not None:
            query["type"] = {"$in": [t.value for t in types]}
        docs = await self._collection.find(query).sort("seq", DESCENDING).limit(limit).to_list()
        return [_item(doc) for doc in docs]

    async def album_page(self, group_id: str, *, before_seq: int | None, limit: int) -> list[Item]:
        """IMAGE and VIDEO items that still have their media, newest first."""
        query: Document = {
            "groupId": group_id,
            "type": {"$in": [t.value for t in ALBUM_TYPES]},
            "deletedAt": None,
        }
        if before_seq is not None:
            query["seq"] = {"$lte": before_seq}
        docs = await self._collection.find(query).sort("seq", DESCENDING).limit(limit).to_list()
        return [_item(doc) for doc in docs]

    async def after_seq(self, group_id: str, after_seq: int, *, limit: int) -> list[Item]:
        """Items with seq > after_seq, oldest first (replay of a live feed)."""
        docs = (
            await self._collection.find({"groupId": group_id, "seq": {"$gt": after_seq}})
            .sort("seq", ASCENDING)
            .limit(limit)
            .to_list()
        )
        return [_item(doc) for doc in docs]

    async def replies_page(
        self, parent_id: str, *, after_seq: int | None, limit: int
    ) -> list[Item]:
        query: Document = {"replyTo": parent_id}
        if after_seq is not None:
            query["seq"] = {"$gt": after_seq}
        docs = await self._collection.find(query).sort("seq", ASCENDING).limit(limit).to_list()
        return [_item(doc) for doc in docs]

    async def reply_counts(self, parent_ids: Sequence[str]) -> list[int]:
        """How many replies each item has that are not deleted, in one round trip."""
        counts = await self._collection.aggregate(
            [
                {"$match": {"replyTo": {"$in": list(parent_ids)}, "deletedAt": None}},
                {"$group": {"_id": "$replyTo", "count": {"$sum": 1}}},
            ]
        )
        by_parent = {doc["_id"]: doc["count"] async for doc in counts}
        return [by_parent.get(parent_id, 0) for parent_id in parent_ids]

    async def edit_text(self, item_id: str, text: str, now: datetime) -> Item | None:
        """Replace the text of an item that is not deleted; None if it is gone or deleted."""
        doc = await self._collection.find_one_and_update(
            {"_id": object_id(item_id), "deletedAt": None},
            {"$set": {"text": text, "editedAt": now}},
            return_document=ReturnDocument.AFTER,
        )
        return _item(doc) if doc else None

    async def tombstone(self, item_id: str, now: datetime) -> Item | None:
        """Delete an item's content but keep its place (seq) in the feed."""
        doc = await self._collection.find_one_and_update(
            {"_id": object_id(item_id), "deletedAt": None},
            {"$set": {"deletedAt": now, **_content_document(ItemContent())}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            doc = await self._collection.find_one({"_id": object_id(item_id)})
        return _item(doc) if doc else None

    async def accept_answer(self, question_id: str, answer_id: str) -> Item | None:
        doc = await self._collection.find_one_and_update(
            {"_id": object_id(question_id), "deletedAt": None},
            {"$set": {"acceptedAnswerId": answer_id}},
            return_document=ReturnDocument.AFTER,
        )
        return _item(doc) if doc else None
