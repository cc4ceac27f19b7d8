"""In-memory MongoDB engine with PyMongo's async interface, built on mongomock."""

# mongomock is untyped; the result types below are the pymongo classes it returns.
# mypy: disable-error-code="no-any-return, no-untyped-call"

import asyncio
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import mongomock
from bson import ObjectId
from mongomock.aggregate import process_pipeline
from pymongo import IndexModel, UpdateOne, results
from pymongo.common import validate_ok_for_update
from pymongo.errors import BulkWriteError, DuplicateKeyError, InvalidOperation

from groupql.store.memory_collection import IndexedCollection
from groupql.store.memory_cursors import MemoryCommandCursor, MemoryCursor, read_all
from groupql.store.memory_groups import grouped
from groupql.store.memory_indexes import IndexedServerStore
from groupql.store.memory_monitor import CommandMonitor
from groupql.store.memory_rules import (
    NaturalOrder,
    Refused,
    check_index_names_fit,
    check_insert_fits,
    check_insert_is_sendable,
)
from groupql.store.memory_updates import check_update
from groupql.versions import InProcessVersions

Document = dict[str, Any]
Filter = Mapping[str, Any]
T = TypeVar("T")

# Every operation yields to the event loop once, then calls mongomock synchronously, with no await
# between reading and writing. So concurrent requests interleave between operations as they do on
# a server, and each operation is atomic, which mirrors MongoDB's single-document atomicity:
# concurrent $inc or upserts never lose an update.
#
# Before mongomock applies a write, the checks of memory_updates.py and memory_rules.py refuse
# what a server refuses (conflicting update paths, documents over 16 MiB, ...), and where a server
# promises no order, NaturalOrder shuffles: code that would fail on a server fails here too.
#
# Reads take the documents a filter may match from hash maps of the declared indexes' keys
# (memory_indexes.py), in the order mongomock scans them, and mongomock's filter decides: the
# answers are mongomock's own, and a look-up by an index costs what it matches, not the
# collection's size. A sorted find with a limit reads one key's documents kept in the sort's
# order (memory_orders.py) up to its limit. Only the documents returned are copied.


class MemoryCollection:
    """The `Collection` surface of groupql.store.collection, on a mongomock collection."""

    def __init__(self, database: "MemoryDatabase", collection: IndexedCollection) -> None:
        self.database = database
        self._name: str = collection.name
        self._collection = collection

    @property
    def name(self) -> str:
        return self._name

    @property
    def indexed(self) -> IndexedCollection:
        """The mongomock collection it reads and writes."""
        return self._collection

    @property
    def documents_examined(self) -> int:
        """How many documents this collection's filters were applied to, so far (its indexes
        narrow them; tests count them per operation)."""
        return self._collection.store.examined

    async def _round_trip(self, command: Document, method: str, *args: Any, **kwargs: Any) -> Any:
        call = functools.partial(getattr(self._collection, method), *args, **kwargs)
        return await self.database._round_trip(command, call)

    async def _checked_round_trip(
        self, command: Document, check: Callable[[], None], call: Callable[[], T]
    ) -> T:
        def checked_call() -> T:
            try:
                check()
            except Refused as refused:
                raise refused.raised_by(next(iter(command))) from None
            return call()

        return await self.database._round_trip(command, checked_call)

    async def insert_one(self, document: Document) -> results.InsertOneResult:
        check_insert_is_sendable(document)
        return await self._checked_round_trip(
            {"insert": self.name, "ordered": True, "documents": [document]},
            lambda: check_insert_fits(document),
            lambda: self._collection.insert_one(document),
        )

    async def insert_many(
        self, documents: Sequence[Document], *, ordered: bool = True
    ) -> results.InsertManyResult:
        """As a server does: each document inserted or refused on its own; ordered stops at the
        first refusal, unordered goes on; any refusal raises BulkWriteError listing them all."""
        if not documents:
            raise TypeError("documents must be a non-empty list")
        for document in documents:
            check_insert_is_sendable(document)
            document.setdefault("_id", ObjectId())

        def insert_each() -> results.InsertManyResult:
            errors: list[Document] = []
            inserted = 0
            for index, document in enumerate(documents):
                try:
                    check_insert_fits(document)
                    self._collection.insert_one(document)
                except (Refused, DuplicateKeyError) as error:
                    code = error.code if isinstance(error, Refused) else 11000
                    errors.append({"index": index, "code": code, "errmsg": str(error)})
                    if ordered:
                        break
                else:
                    inserted += 1
            if errors:
                raise BulkWriteError(
                    {"writeErrors": errors, "nInserted": inserted, "writeConcernErrors": []}
                )
            return results.InsertManyResult([doc["_id"] for doc in documents], True)

        command = {"insert": self.name, "ordered": ordered, "documents": list(documents)}
        return await self.database._round_trip(command, insert_each)

    def find(self, filter: Filter) -> MemoryCursor:
        return MemoryCursor(self, filter)

    async def find_one(
        self,
        filter: Filter,
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
    ) -> Document | None:
        command: Document = {"find": self.name, "filter": filter}
        if sort is not None:
            command["sort"] = dict(sort)
        if projection:
            command["projection"] = projection
        # pymongo's find_one is find(...).limit(-1): one batch of at most one document.
        command |= {"limit": 1, "singleBatch": True}

        def first() -> Document | None:
            if sort is not None:
                return self._collection.find_one(filter, projection, sort=sort)
            documents = self._collection.matching(filter)
            if not documents:
                return None
            chosen = self.database.natural_order.shuffled(documents)[0]
            return self._collection.copy_out(chosen, projection)

        return await self.database._round_trip(command, first)

    async def find_one_and_update(
        self,
        filter: Filter,
        update: Mapping[str, Any],
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
        upsert: bool = False,
        return_document: bool = False,
    ) -> Document | None:
        validate_ok_for_update(update)  # pymongo's own check: a bad update is not sent
        command: Document = {
            "findAndModify": self.name,
            "query": filter,
            "new": return_document,
            "update": update,
        }
        if projection is not None:
            command["fields"] = projection
        if sort is not None:
            command["sort"] = dict(sort)
        command["upsert"] = upsert
        return await self._checked_round_trip(
            command,
            lambda: check_update(self._collection, filter, update, sort=sort, upsert=upsert),
            lambda: self._collection.find_one_and_update(
                filter,
                update,
                projection=projection,
                sort=sort,
                upsert=upsert,
                return_document=return_document,
            ),
        )

    async def update_one(self, filter: Filter, update: Mapping[str, Any]) -> results.UpdateResult:
        validate_ok_for_update(update)  # pymongo's own check: a bad update is not sent
        return await self._checked_round_trip(
            {
                "update": self.name,
                "ordered": True,
                "updates": [{"q": filter, "u": update, "multi": False, "upsert": False}],
            },
            lambda: check_update(self._collection, filter, update, sort=None, upsert=False),
            lambda: self._collection.update_one(filter, update),
        )

    async def delete_one(self, filter: Filter) -> results.DeleteResult:
        command = {"delete": self.name, "ordered": True, "deletes": [{"q": filter, "limit": 1}]}
        return await self._round_trip(command, "delete_one", filter)

    async def delete_many(self, filter: Filter) -> results.DeleteResult:
        command = {"delete": self.name, "ordered": True, "deletes": [{"q": filter, "limit": 0}]}
        return await self._round_trip(command, "delete_many", filter)

    async def bulk_write(
        self, requests: Sequence[UpdateOne], *, ordered: bool = True
    ) -> results.BulkWriteResult:
        """Update-one requests (upserts among them), as a server runs them: each applied or
        refused on its own; ordered stops at the first refusal, unordered goes on; any refusal
        raises BulkWriteError listing them all."""
        if not requests:
            raise InvalidOperation("No operations to execute")
        updates = []
        for request in requests:
            if not isinstance(request, UpdateOne):
                raise TypeError(
                    f"the in-memory engine's bulk_write takes UpdateOne, not {request!r}"
                )
            document = request._doc
            if not isinstance(document, Mapping):
                raise TypeError("the in-memory engine takes update documents, not pipelines")
            validate_ok_for_update(document)  # pymongo's own check: a bad update is not sent
            updates.append((request._filter, document, bool(request._upsert)))

        def apply_each() -> results.BulkWriteResult:
            errors: list[Document] = []
            counts = {"nMatched": 0, "nModified": 0, "nUpserted": 0}
            upserted: list[Document] = []
            for index, (filter, update, upsert) in enumerate(updates):
                try:
                    check_update(self._collection, filter, update, sort=None, upsert=upsert)
                    result = self._collection.update_one(filter, update, upsert=upsert)
                except (Refused, DuplicateKeyError) as error:
                    code = error.code if isinstance(error, Refused) else 11000
                    errors.append({"index": index, "code": code, "errmsg": str(error)})
                    if ordered:
                        break
                    continue
                if result.upserted_id is not None:
                    counts["nUpserted"] += 1
                    upserted.append({"index": index, "_id": result.upserted_id})
                else:
                    counts["nMatched"] += result.matched_count
                    counts["nModified"] += result.modified_count
            details = {**counts, "nInserted": 0, "nRemoved": 0, "upserted": upserted}
            if errors:
                raise BulkWriteError({**details, "writeErrors": errors, "writeConcernErrors": []})
            return results.BulkWriteResult(details, True)

        command = {
            "update": self.name,
            "ordered": ordered,
            "updates": [
                {"q": filter, "u": update, "multi": False, "upsert": upsert}
                for filter, update, upsert in updates
            ],
        }
        return await self.database._round_trip(command, apply_each)

    async def aggregate(self, pipeline: Sequence[Mapping[str, Any]]) -> MemoryCommandCursor:
        natural_order = self.database.natural_order

        def run() -> list[Document]:
            # Stage by stage as mongomock's aggregate does, shuffling what a server leaves in no
            # order: the collection read, and what $group makes (mongomock sorts it by _id). A
            # first $match is the read's filter, so only the documents it keeps are copied.
            stages = list(pipeline)
            first = stages.pop(0)["$match"] if stages and "$match" in stages[0] else {}
            collection = self._collection
            database = collection.database
            quick = grouped(
                lambda: natural_order.shuffled(collection.matching(first)),
                database,
                stages,
                walk=lambda sort: collection.walk(first, sort),
            )
            if quick is not None:
                return natural_order.shuffled(quick)
            documents = natural_order.shuffled(read_all(self._collection, first))
            for stage in stages:
                if "$group" in stage and not documents:
                    # A server groups nothing into nothing (mongomock makes one group of it).
                    continue
                output = process_pipeline(documents, self._collection.database, [stage], None)
                documents = list(output)
                if "$group" in stage:
                    documents = natural_order.shuffled(documents)
            return documents

        command = {"aggregate": self.name, "pipeline": list(pipeline), "cursor": {}}
        documents = await self.database._round_trip(command, run)
        return MemoryCommandCursor(documents)

    async def create_indexes(self, indexes: Sequence[IndexModel]) -> list[str]:
        """Takes pymongo's IndexModels with all their options: mongomock enforces unique, sparse
        and partialFilterExpression, and deletes TTL-expired documents on every read rather than
        once a minute. (mongomock's own create_indexes drops partialFilterExpression.)"""

        def create_all() -> list[str]:
            names = []
            for index in indexes:
                options = dict(index.document)
                keys = list(options.pop("key").items())
                names.append(self._collection.create_index(keys, **options))
            return names

        return await self._checked_round_trip(
            {"createIndexes": self.name, "indexes": [index.document for index in indexes]},
            lambda: check_index_names_fit(self._collection.index_information(), indexes),
            create_all,
        )

    async def index_information(self) -> dict[str, Any]:
        command = {"listIndexes": self.name, "cursor": {}}
        return await self._round_trip(command, "index_information")

    async def drop_index(self, index_or_name: str) -> None:
        command = {"dropIndexes": self.name, "index": index_or_name}
        await self._round_trip(command, "drop_index", index_or_name)


class MemoryDatabase:
    def __init__(self, database: Any, monitor: CommandMonitor, natural_order: NaturalOrder) -> None:
        self.name: str = database.name
        self._database = database
        self._monitor = monitor
        self.natural_order = natural_order

    async def _round_trip(self, command: Document, call: Callable[[], T]) -> T:
        # Yield to the event loop first, as a real round trip does: concurrent requests then
        # interleave between operations just as they do against a server.
        await asyncio.sleep(0)
        return self._monitor.round_trip(self.name, command, call)

    def __getitem__(self, name: str) -> MemoryCollection:
        return MemoryCollection(self, IndexedCollection(self._database, name))

    @property
    def documents_examined(self) -> int:
        """How many documents the filters of all its collections were applied to, so far."""
        stores = self._database._store._collections.values()
        return sum(store.examined for store in stores)

    async def command(self, command: str) -> Document:
        return await self._round_trip({command: 1}, lambda: self._database.command(command))


# Named in-memory servers (memory://NAME), shared by every client of this process that names
# them: several app instances in one process then share a store, as they would a MongoDB.
_NAMED_SERVERS: dict[str, tuple[Any, InProcessVersions]] = {}


class MemoryMongoClient:
    """Stands in for pymongo.AsyncMongoClient(url, tz_aware=True).

    Each instance starts empty, unless it names a server (`memory://NAME`) another one uses.
    Where a server promises no order, each instance shuffles documents the same way for the
    same `seed`. Look-ups go through the collections' indexes; a server made with
    `uses_indexes=False` scans every collection instead, as mongomock does (benchmarks compare).
    """

    def __init__(
        self,
        event_listeners: Sequence[object] = (),
        name: str = "",
        seed: int = 0,
        *,
        uses_indexes: bool = True,
    ) -> None:
        # tz_aware=True: the product's real client returns aware UTC datetimes too.
        if name in _NAMED_SERVERS:
            self._client, self.versions = _NAMED_SERVERS[name]
        else:
            store = IndexedServerStore(uses_indexes=uses_indexes)
            self._client = mongomock.MongoClient(tz_aware=True, _store=store)
            # The versions of what it holds (groupql.versions), moved by every client's writes.
            self.versions = InProcessVersions()
            if name:
                _NAMED_SERVERS[name] = (self._client, self.versions)
        self._monitor = CommandMonitor(event_listeners)
        self._natural_order = NaturalOrder(seed)

    def __getitem__(self, name: str) -> MemoryDatabase:
        return MemoryDatabase(self._client[name], self._monitor, self._natural_order)

    @property
    def admin(self) -> MemoryDatabase:
        return self["admin"]

    async def close(self) -> None:
        """There are no connections to close; the data lives as long as the client."""
