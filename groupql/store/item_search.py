"""Search over `items`: the terms each item is indexed by (written with its content), and the
candidates of a query, newest first, that have every one of its terms."""

from collections.abc import Callable, Sequence
from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING

from groupql.records import Item, SearchFilters
from groupql.store.collection import Collection, Document
from groupql.store.documents import object_id
from groupql.store.items import ITEMS, SHOWN
from groupql.store.search_terms import TERMS, terms_update


def _filtered(filters: SearchFilters) -> Document:
    """The filters as the items' keys."""
    query: Document = {}
    if filters.types is not None:
        query["type"] = {"$in": sorted(kind.value for kind in filters.types)}
    if filters.author_id is not None:
        query["authorId"] = filters.author_id
    created = {
        operator: moment
        for operator, moment in (("$gte", filters.since), ("$lt", filters.until))
        if moment is not None
    }
    if created:
        query["createdAt"] = created
    return query


class ItemSearch:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def in_group(
        self,
        group_id: str,
        terms: Sequence[str],
        filters: SearchFilters,
        *,
        before_seq: int | None,
        after_seq: int,
        limit: int,
    ) -> list[Item]:
        """A group's shown items with every term (any item, with none), newest first, with seqs
        between after_seq and before_seq."""
        query: Document = {"groupId": group_id, **_having(terms), **SHOWN, **_filtered(filters)}
        seq: Document = {"$gt": after_seq} if after_seq else {}
        if before_seq is not None:
            seq["$lt"] = before_seq
        if seq:
            query["seq"] = seq
        cursor = self._collection.find(query).sort("seq", DESCENDING).limit(limit)
        return ITEMS.records(await cursor.to_list())

    async def across(
        self,
        group_ids: Sequence[str],
        terms: Sequence[str],
        *,
        before: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Item]:
        """The shown items with every term in these groups, newest first (by creation, then id),
        before the given (createdAt, id)."""
        query: Document = {"groupId": {"$in": list(group_ids)}, **_having(terms), **SHOWN}
        if before is not None:
            created_at, id_ = before
            query["$or"] = [
                {"createdAt": {"$lt": created_at}},
                {"createdAt": created_at, "_id": {"$lt": object_id(id_)}},
            ]
        cursor = (
            self._collection.find(query)
            .sort([("createdAt", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return ITEMS.records(await cursor.to_list())

    async def reindex(self, *, after_id: str | None, limit: int) -> tuple[int, int, str | None]:
        """Write the terms of up to `limit` items after `after_id` (in id order) where they are
        not current: how many items were read, how many changed, and the last id read (None at
        the end)."""
        query: Document = {} if after_id is None else {"_id": {"$gt": ObjectId(after_id)}}
        docs = await self._collection.find(query).sort("_id", 1).limit(limit).to_list()
        changed = 0
        for doc in docs:
            item = ITEMS.record(doc)
            update = _terms_update(item)
            if _is_current(doc, update):
                continue
            # Only if no edit or delete came since the read (those write their own terms).
            unchanged = {"text": doc.get("text"), "deletedAt": doc.get("deletedAt")}
            result = await self._collection.update_one(
                {"groupId": item.group_id, "_id": doc["_id"], **unchanged}, update
            )
            changed += result.modified_count
        return len(docs), changed, str(docs[-1]["_id"]) if docs else None


async def reindex_all(
    search: ItemSearch, *, batch: int, progress: Callable[[int, int], None]
) -> tuple[int, int]:
    """Bring every item's terms up to date, batch by batch in id order; told after each batch
    how many items were read and changed so far. How many were read and changed in all."""
    read = changed = 0
    after_id: str | None = None
    while True:
        batch_read, batch_changed, after_id = await search.reindex(after_id=after_id, limit=batch)
        read, changed = read + batch_read, changed + batch_changed
        if after_id is None:
            return read, changed
        progress(read, changed)


def _terms_update(item: Item) -> Document:
    return {"$unset": {TERMS: ""}} if item.is_deleted else terms_update(item.content)


def _is_current(doc: Document, update: Document) -> bool:
    if "$set" in update:
        return bool(doc.get(TERMS) == update["$set"][TERMS])
    return TERMS not in doc


def _having(terms: Sequence[str]) -> Document:
    return {TERMS: {"$all": list(terms)}} if terms else {}
