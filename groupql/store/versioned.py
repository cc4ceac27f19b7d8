"""Writes that keep the newest of concurrent values: each document carries the version of what
it holds, and a write lands only where it holds the same or an older one (or none): writing the
same version again writes the same values."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from groupql.store.collection import Collection, Document

# An upsert that finds no document to update inserts one, and fails on the unique key when
# another writer inserted it first (or when the stored version is newer): retried, the write
# finds that document and updates it if it is older. Past a few attempts, what is stored is newer.
_ATTEMPTS = 3
_DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class Versioned:
    """Set `values` on the document with `key`, unless it holds a newer version."""

    key: Document
    values: Document
    version: int


async def put_newer(collection: Collection, writes: Sequence[Versioned]) -> None:
    """Each write where it is newer than what is stored, in one round trip (more only when
    writers race to insert the same document)."""
    requests = [
        UpdateOne(
            {**write.key, "$or": [{"version": {"$lte": write.version}}, {"version": None}]},
            {"$set": {**write.values, "version": write.version}},
            upsert=True,
        )
        for write in writes
    ]
    await _with_retries(collection, requests)


async def add_to(
    collection: Collection, keys: Sequence[Document], increments: Document, values: Document
) -> None:
    """Add to counters of the documents with these keys (made where missing) and set `values`,
    in one round trip."""
    update = {"$inc": increments, "$set": values}
    requests = [UpdateOne(key, update, upsert=True) for key in keys]
    await _with_retries(collection, requests)


async def _with_retries(collection: Collection, requests: list[UpdateOne]) -> None:
    for _ in range(_ATTEMPTS):
        if not requests:
            return
        try:
            await collection.bulk_write(requests, ordered=False)
            return
        except BulkWriteError as error:
            failed: list[dict[str, Any]] = error.details["writeErrors"]
            # A write concern not met (a failover, a majority timeout) is no success either.
            if error.details.get("writeConcernErrors") or any(
                one["code"] != _DUPLICATE_KEY for one in failed
            ):
                raise
            requests = [requests[one["index"]] for one in failed]
