"""In-memory MongoDB engine with PyMongo's async interface, built on mongomock."""

# mongomock is untyped; the result types below are the pymongo classes it returns.
# mypy: disable-error-code="no-any-return"

import asyncio
import datetime
import functools
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Self, TypeVar

import mongomock
from pymongo import IndexModel, monitoring, results
from pymongo.errors import InvalidOperation

Document = dict[str, Any]
Filter = Mapping[str, Any]
T = TypeVar("T")

_CONNECTION = ("memory", None)

# Every operation yields to the event loop once, then calls mongomock synchronously, with no await
# between reading and writing. So concurrent requests interleave between operations as they do on
# a server, and each operation is atomic, which mirrors MongoDB's single-document atomicity:
# concurrent $inc or upserts never lose an update.


class _CommandMonitor:
    """Reports each simulated server round trip to pymongo command listeners."""

    def __init__(self, listeners: Sequence[object]) -> None:
        self._listeners: list[monitoring.CommandListener] = []
        for listener in listeners:
            if not isinstance(listener, monitoring.CommandListener):
                raise TypeError(
                    f"MemoryMongoClient reports only command events; got {type(listener)!r}, "
                    "pass pymongo.monitoring.CommandListener instances"
                )
            self._listeners.append(listener)
        self._request_ids = itertools.count(1)

    def round_trip(self, database_name: str, command: Document, call: Callable[[], T]) -> T:
        command_name, request_id = next(iter(command)), next(self._request_ids)
        ids = (request_id, _CONNECTION, request_id)  # request, connection and operation ids
        started = monitoring.CommandStartedEvent(command, database_name, *ids)
        for listener in self._listeners:
            listener.started(started)
        start = time.perf_counter()
        try:
            result = call()
        except Exception as exc:
            reply = {"ok": 0.0, "errmsg": str(exc), "code": getattr(exc, "code", None)}
            failed = monitoring.CommandFailedEvent(
                _since(start), reply, command_name, *ids, database_name=database_name
            )
            for listener in self._listeners:
                listener.failed(failed)
            raise
        succeeded = monitoring.CommandSucceededEvent(
            _since(start), {"ok": 1.0}, command_name, *ids, database_name=database_name
        )
        for listener in self._listeners:
            listener.succeeded(succeeded)
        return result


def _since(start: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=time.perf_counter() - start)


class MemoryCommandCursor:
    """Documents that arrived with their command, like pymongo's AsyncCommandCursor."""

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self._buffer: deque[Document] = deque(documents)

    async def _fetch_first_batch(self) -> None:
        """A command cursor's documents came with the command itself."""

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Document:
        await self._fetch_first_batch()
        if not self._buffer:
            raise StopAsyncIteration
        return self._buffer.popleft()

    async def to_list(self, length: int | None = None) -> list[Document]:
        if length is not None and length < 1:
            raise ValueError("to_list() length must be greater than 0")
        await self._fetch_first_batch()
        count = len(self._buffer) if length is None else min(length, len(self._buffer))
        return [self._buffer.popleft() for _ in range(count)]

    async def close(self) -> None:
        self._buffer.clear()


class MemoryCursor(MemoryCommandCursor):
    """A find() query, run in one round trip when first read, like pymongo's AsyncCursor."""

    def __init__(self, collection: "MemoryCollection", query: Any) -> None:
        super().__init__()
        self._collection = collection
        self._query: Any = query  # a mongomock Cursor until the query runs or is closed

    def sort(self, key_or_list: str | Sequence[tuple[str, Any]], direction: Any = None) -> Self:
        self._unrun_query().sort(key_or_list, direction)
        return self

    def skip(self, skip: int) -> Self:
        self._unrun_query().skip(skip)
        return self

    def limit(self, limit: int) -> Self:
        self._unrun_query().limit(limit)
        return self

    def _unrun_query(self) -> Any:
        if self._query is None:
            raise InvalidOperation("cannot set options after executing query")
        return self._query

    async def _fetch_first_batch(self) -> None:
        if self._query is not None:
            query, self._query = self._query, None
            command = {"find": self._collection.name}
            database = self._collection.database
            self._buffer.extend(await database._round_trip(command, lambda: list(query)))

    async def close(self) -> None:
        self._query = None
        await super().close()


class MemoryCollection:
    def __init__(self, database: "MemoryDatabase", collection: Any) -> None:
        self.database = database
        self.name: str = collection.name
        self._collection = collection

    async def _round_trip(self, command_name: str, method: str, *args: Any, **kwargs: Any) -> Any:
        call = functools.partial(getattr(self._collection, method), *args, **kwargs)
        return await self.database._round_trip({command_name: self.name}, call)

    async def insert_one(self, document: Document, **kwargs: Any) -> results.InsertOneResult:
        return await self._round_trip("insert", "insert_one", document, **kwargs)

    async def insert_many(
        self, documents: Iterable[Document], **kwargs: Any
    ) -> results.InsertManyResult:
        return await self._round_trip("insert", "insert_many", documents, **kwargs)

    def find(self, filter: Filter | None = None, *args: Any, **kwargs: Any) -> MemoryCursor:
        return MemoryCursor(self, self._collection.find(filter, *args, **kwargs))

    async def find_one(self, filter: Any = None, *args: Any, **kwargs: Any) -> Document | None:
        return await self._round_trip("find", "find_one", filter, *args, **kwargs)

    async def aggregate(self, pipeline: Sequence[Filter], **kwargs: Any) -> MemoryCommandCursor:
        documents = await self._round_trip("aggregate", "aggregate", pipeline, **kwargs)
        return MemoryCommandCursor(documents)

    async def update_one(self, filter: Filter, update: Any, **kwargs: Any) -> results.UpdateResult:
        return await self._round_trip("update", "update_one", filter, update, **kwargs)

    async def update_many(self, filter: Filter, update: Any, **kwargs: Any) -> results.UpdateResult:
        return await self._round_trip("update", "update_many", filter, update, **kwargs)

    async def replace_one(
        self, filter: Filter, new: Document, **kwargs: Any
    ) -> results.UpdateResult:
        return await self._round_trip("update", "replace_one", filter, new, **kwargs)

    async def find_one_and_update(
        self, filter: Filter, update: Any, **kwargs: Any
    ) -> Document | None:
        return await self._round_trip(
            "findAndModify", "find_one_and_update", filter, update, **kwargs
        )

    async def find_one_and_replace(
        self, filter: Filter, new: Document, **kwargs: Any
    ) -> Document | None:
        return await self._round_trip(
            "findAndModify", "find_one_and_replace", filter, new, **kwargs
        )

    async def find_one_and_delete(self, filter: Filter, **kwargs: Any) -> Document | None:
        return await self._round_trip("findAndModify", "find_one_and_delete", filter, **kwargs)

    async def delete_one(self, filter: Filter, **kwargs: Any) -> results.DeleteResult:
        return await self._round_trip("delete", "delete_one", filter, **kwargs)

    async def delete_many(self, filter: Filter, **kwargs: Any) -> results.DeleteResult:
        return await self._round_trip("delete", "delete_many", filter, **kwargs)

    async def count_documents(self, filter: Filter, **kwargs: Any) -> int:
        # pymongo counts with an aggregate ($match + $group), so monitoring sees "aggregate".
        return await self._round_trip("aggregate", "count_documents", filter, **kwargs)

    async def estimated_document_count(self, **kwargs: Any) -> int:
        return await self._round_trip("count", "estimated_document_count", **kwargs)

    async def distinct(self, key: str, filter: Filter | None = None, **kwargs: Any) -> list[Any]:
        return await self._round_trip("distinct", "distinct", key, filter, **kwargs)

    async def create_index(self, keys: str | Sequence[tuple[str, Any]], **kwargs: Any) -> str:
        """Takes pymongo's options; mongomock enforces unique, sparse and partialFilterExpression,
        and deletes TTL-expired documents on every read rather than once a minute."""
        return await self._round_trip("createIndexes", "create_index", keys, **kwargs)

    async def create_indexes(self, indexes: Sequence[IndexModel], **kwargs: Any) -> list[str]:
        return await self._round_trip("createIndexes", "create_indexes", indexes, **kwargs)

    async def index_information(self, **kwargs: Any) -> dict[str, Any]:
        return await self._round_trip("listIndexes", "index_information", **kwargs)

    async def drop(self, **kwargs: Any) -> None:
        await self._round_trip("drop", "drop", **kwargs)


class MemoryDatabase:
    def __init__(self, database: Any, monitor: _CommandMonitor) -> None:
        self.name: str = database.name
        self._database = database
        self._monitor = monitor

    async def _round_trip(self, command: Document, call: Callable[[], T]) -> T:
        # Yield to the event loop first, as a real round trip does: concurrent requests then
        # interleave between operations just as they do against a server.
        await asyncio.sleep(0)
        return self._monitor.round_trip(self.name, command, call)

    def get_collection(self, name: str) -> MemoryCollection:
        return MemoryCollection(self, self._database[name])

    def __getitem__(self, name: str) -> MemoryCollection:
        return self.get_collection(name)

    def __getattr__(self, name: str) -> MemoryCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get_collection(name)

    async def command(self, command: str | Document, **kwargs: Any) -> Document:
        as_document = {command: 1} if isinstance(command, str) else command
        return await self._round_trip(
            as_document, lambda: self._database.command(command, **kwargs)
        )

    async def list_collection_names(self, **kwargs: Any) -> list[str]:
        call = functools.partial(self._database.list_collection_names, **kwargs)
        return await self._round_trip({"listCollections": 1}, call)

    async def drop_collection(self, name: str, **kwargs: Any) -> None:
        call = functools.partial(self._database.drop_collection, name, **kwargs)
        await self._round_trip({"drop": name}, call)


# Named in-memory servers (memory://NAME), shared by every client of this process that names
# them: several app instances in one process then share a store, as they would a MongoDB.
_NAMED_SERVERS: dict[str, Any] = {}


class MemoryMongoClient:
    """Stands in for pymongo.AsyncMongoClient(url, tz_aware=True).

    Each instance starts empty, unless it names a server (`memory://NAME`) another one uses.
    """

    def __init__(self, event_listeners: Sequence[object] = (), name: str = "") -> None:
        # tz_aware=True: the product's real client returns aware UTC datetimes too.
        if not name:
            self._client: Any = mongomock.MongoClient(tz_aware=True)
        else:
            self._client = _NAMED_SERVERS.setdefault(name, mongomock.MongoClient(tz_aware=True))
        self._monitor = _CommandMonitor(event_listeners)

    def get_database(self, name: str) -> MemoryDatabase:
        return MemoryDatabase(self._client[name], self._monitor)

    def __getitem__(self, name: str) -> MemoryDatabase:
        return self.get_database(name)

    @property
    def admin(self) -> MemoryDatabase:
        return self.get_database("admin")

    async def aconnect(self) -> None:
        """There is no server to connect to."""

    async def close(self) -> None:
        """There are no connections to close; the data lives as long as the client."""
