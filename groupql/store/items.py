"""The `items` collection: a group's feed, keyed by (groupId, seq)."""

import asyncio
import random
import time
from collections.abc import Collection as Set
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from groupql.changes import Changes
from groupql.records import (
    Item,
    ItemContent,
    ItemType,
    Link,
    Media,
    Poll,
    PollOption,
    ReviewStatus,
    Thumbnail,
)
from groupql.store.collection import Collection, Document
from groupql.store.documents import changed_document, get_many, object_id
from groupql.store.kept_reads import KeptReads, Unkept
from groupql.store.search_terms import TERMS, terms_of, terms_update
from groupql.store.tables import (
    Key,
    Table,
    enum_key,
    id_key,
    inline_record,
    sub_record,
    sub_records,
)

THUMBNAIL = Table(Thumbnail, side="side", key="key")
MEDIA = Table(
    Media,
    url="url",
    mime="mime",
    size="size",
    width="width",
    height="height",
    duration_s="duration",
    name="name",
    media_id="mediaId",
    key="key",
    thumbnails=sub_records(THUMBNAIL, "thumbnails"),
)
LINK = Table(Link, url="url", title="title")
POLL_OPTION = Table(PollOption, id="id", text="text")
POLL = Table(
    Poll,
    options=sub_records(POLL_OPTION, "options"),
    is_multiple_choice="multipleChoice",
    is_anonymous="anonymous",
    closes_at="closesAt",
)
CONTENT = Table(
    ItemContent,
    text="text",
    media=sub_records(MEDIA, "media"),
    link=sub_record(LINK, "link"),
    poll=sub_record(POLL, "poll"),
    mentions=Key("mentions", load=tuple, dump=list, missing=()),
    mentions_all="mentionsAll",
)
ITEMS = Table(
    Item,
    id=id_key(),
    group_id="groupId",
    seq="seq",
    type=enum_key(ItemType, "type"),
    author_id="authorId",
    content=inline_record(CONTENT),
    reply_to="replyTo",
    created_at="createdAt",
    edited_at="editedAt",
    deleted_at="deletedAt",
    accepted_answer_id="acceptedAnswerId",
    client_id="clientId",
    review=enum_key(ReviewStatus, "review"),
    review_label="reviewLabel",
    queued="queued",
    report_count="reportCount",
    awaiting_media=Key("awaitingMedia", load=tuple, dump=list, missing=()),
)
ALBUM_TYPES = (ItemType.IMAGE, ItemType.VIDEO)
# The items everybody sees: not waiting for review, not refused (items from before reviews have
# no key).
SHOWN = {"review": {"$nin": [ReviewStatus.PENDING_REVIEW.value, ReviewStatus.REJECTED.value]}}


class Items:
    def __init__(
        self, collection: Collection, kept_last_seqs: KeptReads[str, int] | Unkept
    ) -> None:
        self._collection = collection
        self._kept_last_seqs = kept_last_seqs

    async def append(
        self,
        *,
        group_id: str,
        type: ItemType,
        author_id: str,
        content: ItemContent,
        reply_to: str | None,
        client_id: str | None,
        now: datetime,
        review: ReviewStatus = ReviewStatus.PUBLISHED,
        review_label: int | None = None,
        queued: bool = False,
        awaiting_media: tuple[str, ...] = (),
    ) -> tuple[Item, bool] | None:
        """Add an item with the group's next seq: the item and True. An item the author already
        posted with this `client_id` (a retry): that item and False. None if other writers kept
        taking the next seq for the whole time budget (the client retries, with its clientId).

        The seq is the last stored one plus one, claimed by the unique (groupId, seq) index. So
        seq N is stored only once N - 1 is: readers never see a hole, not even for a moment, and
        a writer that dies has claimed nothing.
        """
        deadline = time.monotonic() + _APPEND_BUDGET_S
        attempt = 0
        while time.monotonic() < deadline:
            # From the store itself: what the version of a post landing now has not moved yet
            # would only make this one retry.
            [last_seq] = await self._last_seqs([group_id])
            item = Item(
                id=str(ObjectId()),
                group_id=group_id,
                seq=last_seq + 1,
                type=type,
                author_id=author_id,
                content=content,
                reply_to=reply_to,
                created_at=now,
                client_id=client_id,
                review=review,
                review_label=review_label,
                queued=queued,
                awaiting_media=awaiting_media,
            )
            try:
                await self._collection.insert_one(stored(item))
            except DuplicateKeyError:
                # Either the seq was taken, or this is a retry of a post that was stored.
                if client_id is not None:
                    first = await self._collection.find_one(
                        {"groupId": group_id, "authorId": author_id, "clientId": client_id}
                    )
                    if first is not None:
                        return ITEMS.record(first), False
                await asyncio.sleep(_backoff_s(attempt))
                attempt += 1
                continue
            return item, True
        return None

    async def get_many(self, ids: Sequence[str]) -> list[Item | None]:
        return await get_many(self._collection, ids, ITEMS.record)

    async def last_seqs(self, group_ids: Sequence[str]) -> list[int]:
        """The seq of each group's newest item (0 when it has none), in one round trip (none
        when every group's is kept: groupql.store.kept_reads)."""
        return await self._kept_last_seqs.get_many(group_ids, self._last_seqs)

    async def _last_seqs(self, group_ids: Sequence[str]) -> list[int]:
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
        return await self._find(query, "seq", DESCENDING, limit)

    async def album_page(self, group_id: str, *, before_seq: int | None, limit: int) -> list[Item]:
        """IMAGE and VIDEO items that still have their media, newest first."""
        query: Document = {
            "groupId": group_id,
            "type": {"$in": [t.value for t in ALBUM_TYPES]},
            "deletedAt": None,
            **SHOWN,  # held or refused photos stay out of the album
        }
        if before_seq is not None:
            query["seq"] = {"$lte": before_seq}
        return await self._find(query, "seq", DESCENDING, limit)

    async def after_seq(self, group_id: str, after_seq: int, *, limit: int) -> list[Item]:
        """Items with seq > after_seq, oldest first (replay of a live feed)."""
        query = {"groupId": group_id, "seq": {"$gt": after_seq}}
        return await self._find(query, "seq", ASCENDING, limit)

    async def replies_page(self, parent: Item, *, after_seq: int | None, limit: int) -> list[Item]:
        query: Document = {"groupId": parent.group_id, "replyTo": parent.id}
        if after_seq is not None:
            query["seq"] = {"$gt": after_seq}
        return await self._find(query, "seq", ASCENDING, limit)

    async def reply_counts(self, parents: Sequence[tuple[str, str]]) -> list[int]:
        """How many replies each (groupId, itemId) has that are not deleted, in one round trip."""
        counts = await self._collection.aggregate(
            [
                {
                    "$match": {
                        "groupId": {"$in": sorted({group_id for group_id, _ in parents})},
                        "replyTo": {"$in": [item_id for _, item_id in parents]},
                        "deletedAt": None,
                    }
                },
                {"$group": {"_id": "$replyTo", "count": {"$sum": 1}}},
            ]
        )
        by_parent = {doc["_id"]: doc["count"] async for doc in counts}
        return [by_parent.get(item_id, 0) for _, item_id in parents]

    async def mention_counts(
        self, user_id: str, reads: Sequence[tuple[str, int, int]]
    ) -> list[int]:
        """For each (groupId, lastReadSeq, throughSeq): how many items after the first seq, up
        to the second, mention the user by name or by @all (not their own), in one round trip.
        Deleted items mention nobody."""
        if not reads:
            return []
        clauses: list[Document] = []
        for group_id, after_seq, through_seq in reads:
            after = {"groupId": group_id, "seq": {"$gt": after_seq, "$lte": through_seq}}
            clauses.append({**after, "mentions": user_id})
            clauses.append({**after, "mentionsAll": True, "authorId": {"$ne": user_id}})
        counts = await self._collection.aggregate(
            [{"$match": {"$or": clauses}}, {"$group": {"_id": "$groupId", "count": {"$sum": 1}}}]
        )
        by_group = {doc["_id"]: doc["count"] async for doc in counts}
        return [by_group.get(group_id, 0) for group_id, _, _ in reads]

    async def claim_closed_polls(self, *, now: datetime, limit: int) -> list[Item]:
        """Polls that closed within the last hour and nobody has claimed yet, each claimed for
        the caller by one conditional write (of racing sweeps, one wins each poll). A poll that
        closed while no server ran for longer is not claimed late."""
        found = await self._find(
            {
                "type": ItemType.POLL.value,
                "poll.closesAt": {"$lte": now, "$gt": now - _CLOSED_POLL_WINDOW},
                "pollClosedAt": None,
                "deletedAt": None,
            },
            "poll.closesAt",
            ASCENDING,
            limit,
        )
        claimed = []
        for poll in found:
            result = await self._collection.update_one(
                {**_located(poll), "pollClosedAt": None}, {"$set": {"pollClosedAt": now}}
            )
            if result.modified_count == 1:
                claimed.append(poll)
        return claimed

    async def queue_page(self, group_id: str, *, before_seq: int | None, limit: int) -> list[Item]:
        """Items in the review queue (held or reported), newest first."""
        query: Document = {"groupId": group_id, "queued": True}
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        return await self._find(query, "seq", DESCENDING, limit)

    async def decide_review(self, item: Item, review: ReviewStatus) -> Item | None:
        """Publish or reject an item of the review queue, and take it out; None if it is no
        longer there (another admin decided first)."""
        doc = await changed_document(
            self._collection,
            {**_located(item), "queued": True},
            {"$set": ITEMS.to_set(Changes(Item, review=review, queued=False))},
        )
        return ITEMS.record(doc) if doc else None

    async def awaiting(self, group_id: str, media_id: str) -> list[Item]:
        """The group's items that wait for the check of this file."""
        return ITEMS.records(
            await self._collection.find({"groupId": group_id, "awaitingMedia": media_id}).to_list()
        )

    async def media_checked(self, item: Item, media_id: str) -> Item | None:
        """The item no longer waits for this file; None if it is gone."""
        doc = await changed_document(
            self._collection, _located(item), {"$pull": {"awaitingMedia": media_id}}
        )
        return ITEMS.record(doc) if doc else None

    async def publish_checked(self, item: Item) -> Item | None:
        """Publish a held item that waits for no file and no admin; None if it still does."""
        doc = await changed_document(
            self._collection,
            {
                **_located(item),
                "review": ReviewStatus.PENDING_REVIEW.value,
                "queued": False,
                "awaitingMedia": {"$size": 0},
            },
            {"$set": ITEMS.to_set(Changes(Item, review=ReviewStatus.PUBLISHED))},
        )
        return ITEMS.record(doc) if doc else None

    async def to_admins(self, item: Item, media_id: str) -> Item | None:
        """The item stops waiting for this file and waits for an admin instead."""
        doc = await changed_document(
            self._collection,
            _located(item),
            {
                "$pull": {"awaitingMedia": media_id},
                "$set": ITEMS.to_set(Changes(Item, queued=True)),
            },
        )
        return ITEMS.record(doc) if doc else None

    async def reject_checked(self, item: Item) -> Item | None:
        """Reject a held item whose file WeChat found risky."""
        doc = await changed_document(
            self._collection,
            {**_located(item), "review": ReviewStatus.PENDING_REVIEW.value},
            {"$set": ITEMS.to_set(Changes(Item, review=ReviewStatus.REJECTED, queued=False))},
        )
        return ITEMS.record(doc) if doc else None

    async def reported(self, item: Item) -> Item | None:
        """Count one more report and put the item in the review queue."""
        doc = await changed_document(
            self._collection,
            _located(item),
            {"$inc": {"reportCount": 1}, "$set": ITEMS.to_set(Changes(Item, queued=True))},
        )
        return ITEMS.record(doc) if doc else None

    # Writes to an item carry its groupId, the shard key of `items`, so that a sharded cluster
    # routes them to one shard.

    async def edit_text(
        self,
        item: Item,
        *,
        text: str,
        mentions: tuple[str, ...],
        now: datetime,
        review: ReviewStatus,
        review_label: int | None,
    ) -> Item | None:
        """Replace the text (and mentions) of an item that is not deleted, as its check found
        it; None if it is gone or deleted."""
        content = Changes(ItemContent, text=text, mentions=mentions)
        held = {"queued": True} if review is ReviewStatus.PENDING_REVIEW else {}
        # Only the text changes: the item's other searchable fields are as they were posted.
        edited = replace(item.content, text=text, mentions=mentions)
        return await self._change_live(
            item,
            Changes(
                Item,
                content=content,
                edited_at=now,
                review=review,
                review_label=review_label,
                **held,
            ),
            also=terms_update(edited),
        )

    async def tombstone(self, item: Item, *, now: datetime) -> Item | None:
        """Delete an item's content but keep its place (seq) in the feed."""
        deleted = await self._change_live(
            item, Changes(Item, content=ItemContent(), deleted_at=now), also={"$unset": {TERMS: ""}}
        )
        if deleted is not None:
            return deleted
        doc = await self._collection.find_one(_located(item))
        return ITEMS.record(doc) if doc else None

    async def accept_answer(self, question: Item, *, answer_id: str) -> tuple[Item, bool] | None:
        """Accept an answer: the question after, and whether it had none before (of racing
        first accepts, one is first); None if the question is gone or deleted."""
        changes = Changes(Item, accepted_answer_id=answer_id)
        doc = await changed_document(
            self._collection,
            {**_located(question), "deletedAt": None, "acceptedAnswerId": None},
            {"$set": ITEMS.to_set(changes)},
        )
        if doc is not None:
            return ITEMS.record(doc), True
        changed = await self._change_live(question, changes)
        return None if changed is None else (changed, False)

    async def _change_live(
        self, item: Item, changes: Changes[Item], *, also: Document | None = None
    ) -> Item | None:
        """Change an item that is not deleted (and apply `also`, its terms' update); None if it
        is gone or deleted."""
        also = also or {}
        update = {**also, "$set": {**ITEMS.to_set(changes), **also.get("$set", {})}}
        doc = await changed_document(
            self._collection, {**_located(item), "deletedAt": None}, update
        )
        return ITEMS.record(doc) if doc else None

    async def _find(self, query: Document, sort_key: str, direction: int, limit: int) -> list[Item]:
        docs = await self._collection.find(query).sort(sort_key, direction).limit(limit).to_list()
        return ITEMS.records(docs)


def stored(item: Item) -> Document:
    """The document an item is stored as: its fields, and the terms search finds it by."""
    terms = terms_of(item.content)
    document = ITEMS.document(item)
    return {**document, TERMS: terms} if terms else document


def _located(item: Item) -> Document:
    return {"groupId": item.group_id, "_id": object_id(item.id)}


_CLOSED_POLL_WINDOW = timedelta(hours=1)
# Appends to one group race for the next seq; each loser rereads it and tries again. Dozens of
# writers posting to one group in the same instant take turns; past this budget a post is refused
# (CONFLICT) rather than holding its request open.
_APPEND_BUDGET_S = 5.0
# Losers wait a random while before retrying, up to a cap that doubles per lost race, so that
# the losers of one race do not all meet again at the next seq.
_BACKOFF_FIRST_S = 0.001
_BACKOFF_MAX_S = 0.02


def _backoff_s(attempt: int) -> float:
    return random.uniform(0, min(_BACKOFF_MAX_S, _BACKOFF_FIRST_S * 2**attempt))
