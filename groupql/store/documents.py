"""Helpers shared by the collections: ids, batch reads, and the race-free upsert."""

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from groupql.store.collection import Collection, Document


class Identified(Protocol):
    @property
    def id(self) -> str: ...


Record = TypeVar("Record", bound=Identified)

# Two upserts racing on the same unique key: MongoDB lets one insert and fails the other with
# DuplicateKeyError; retried, the loser finds the winner's document. More than a few retries
# would mean something other than that race.
_UPSERT_ATTEMPTS = 5


def is_valid_id(value: str) -> bool:
    return ObjectId.is_valid(value)


def object_id(value: str) -> ObjectId | None:
    """The ObjectId a client-supplied id names, or None when it names nothing."""
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None


async def get_many(
    collection: Collection, ids: Sequence[str], record: Callable[[Document], Record]
) -> list[Record | None]:
    """The records with these ids, in the same order; None where an id names nothing."""
    oids = [oid for oid in map(object_id, ids) if oid is not None]
    docs = await collection.find({"_id": {"$in": oids}}).to_list()
    by_id = {one.id: one for one in map(record, docs)}  # the id as its table reads it
    return [by_id.get(id_) for id_ in ids]


async def changed_document(
    collection: Collection, query: Document, update: Document
) -> Document | None:
    """The document `query` finds, after `update`; None when it finds none."""
    doc: Document | None = await collection.find_one_and_update(
        query, update, return_document=ReturnDocument.AFTER
    )
    return doc


async def upsert(collection: Collection, key: Document, update: Document) -> tuple[Document, bool]:
    """Find the document with `key` or insert it; applies `update` either way.

    Returns the document after the update and whether this call inserted it.
    """
    new_id = ObjectId()
    on_insert = {**update.get("$setOnInsert", {}), "_id": new_id}
    for attempt in range(_UPSERT_ATTEMPTS):
        try:
            doc = await collection.find_one_and_update(
                key,
                {**update, "$setOnInsert": on_insert},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            if attempt == _UPSERT_ATTEMPTS - 1:
                raise
            continue
        assert doc is not None, "an upsert returning the document after always finds one"
        return doc, doc["_id"] == new_id
    raise AssertionError("unreachable")
