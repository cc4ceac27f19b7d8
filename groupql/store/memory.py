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

    def sort(self, key_or_list: str, direction: int) -> Self:
        self._unrun_query().sort(key_or_list, direction)
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
    """The `Collection` surface of groupql.store.collection, on a mongomock collection."""

    def __init__(self, database: "MemoryDatabase", collection: Any) -> None:
        self.database = database
        self._name: str = collection.name
        self._collection = collection

    @property
    def name(self) -> str:
        return self._name

    async def _round_trip(self, command_name: str, method: str, *args: Any, **kwargs: Any) -> Any:
        call = functools.partial(getattr(self._collection, method), *args, **kwargs)
        return await self.database._round_trip({command_name: self.name}, call)

    async def insert_one(self, document: Document) -> results.InsertOneResult:
        return await self._round_trip("insert", "insert_one", document)

    def find(self, filter: Filter) -> MemoryCursor:
        return MemoryCursor(self, self._collection.find(filter))

    async def find_one(
        self,
        filter: Filter,
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
    ) -> Document | None:
        return await self._round_trip("find", "find_one", filter, projection, sort=sort)

    async def find_one_and_update(
        self,
        filter: Filter,
        update: Mapping[str, Any],
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
        upsert: bool = False,
        return_document: bool = False,
    ) -> Document | None:
        return await self._round_trip(
            "findAndModify",
            "find_one_and_update",
            filter,
            update,
            projection=projection,
            sort=sort,
            upsert=upsert,
            return_document=return_document,
        )

    async def update_one(self, filter: Filter, update: Mapping[str, Any]) -> results.UpdateResult:
        return await self._round_trip("update", "update_one", filter, update)

    async def delete_one(self, filter: Filter) -> results.DeleteResult:
        return await self._round_trip("delete", "delete_one", filter)

    async def aggregate(self, pipeline: Sequence[Mapping[str, Any]]) -> MemoryCommandCursor:
        documents = await self._round_trip("aggregate", "aggregate", pipeline)
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

        return await self.database._round_trip({"createIndexes": self.name}, create_all)

    async def index_information(self) -> dict[str, Any]:
        return await self._round_trip("listIndexes", "index_information")

    async def drop_index(self, index_or_name: str) -> None:
        await self._round_trip("dropIndexes", "drop_index", index_or_name)


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

    def __getitem__(self, name: str) -> MemoryCollection:
        return MemoryCollection(self, self._database[name])

    async def command(self, command: str) -> Document:
        return await self._round_trip({command: 1}, lambda: self._database.command(command))


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

    def __getitem__(self, name: str) -> MemoryDatabase:
        return MemoryDatabase(self._client[name], self._monitor)

    @property
    def admin(self) -> MemoryDatabase:
        return self["admin"]

    async def close(self) -> None:
        """There are no connections to close; the data lives as long as the client."""
