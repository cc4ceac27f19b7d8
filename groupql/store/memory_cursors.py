"""The cursors of the in-memory engine: a find() query, and the documents a command returned."""

# mongomock is untyped.
# mypy: disable-error-code="no-untyped-call"

from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self

from pymongo.errors import InvalidOperation

from groupql.store.memory_collection import IndexedCollection, spec_of

if TYPE_CHECKING:
    from groupql.store.memory import MemoryCollection

Document = dict[str, Any]


def read_all(collection: IndexedCollection, filter: Mapping[str, Any]) -> list[Document]:
    """Copies of the documents a filter finds, as mongomock's find returns them (aware
    datetimes). Its Cursor slices its result list once per document it yields, which makes
    reading a whole collection quadratic; its dataset is read once here."""
    return collection.copies_out(collection.matching(filter))


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

    def __init__(self, collection: "MemoryCollection", filter: Mapping[str, Any]) -> None:
        super().__init__()
        self._collection = collection
        self._filter = {} if filter is None else filter
        self._spec = spec_of(self._filter)  # refused here, as pymongo's find refuses it
        self._ran = False
        self._sort: dict[str, int] = {}
        self._limit = 0

    def sort(self, key_or_list: str | list[tuple[str, int]], direction: int | None = None) -> Self:
        """As pymongo's: a key and its direction, or a list of (key, direction)."""
        self._check_unrun()
        if isinstance(key_or_list, str):
            if direction is None:
                raise TypeError("sort by a key needs its direction (1 or -1)")
            keys = [(key_or_list, direction)]
        else:
            keys = list(key_or_list)
        if not keys:
            raise ValueError("key_or_list must not be the empty list")  # as mongomock's sort
        self._sort = dict(keys)  # pymongo's sort() replaces the earlier one
        return self

    def limit(self, limit: int) -> Self:
        self._check_unrun()
        self._limit = limit  # applied after the shuffle of an unsorted query
        return self

    def _check_unrun(self) -> None:
        if self._ran:
            raise InvalidOperation("cannot set options after executing query")

    async def _fetch_first_batch(self) -> None:
        if not self._ran:
            self._ran = True
            database = self._collection.database
            collection = self._collection.indexed
            spec, limit = self._spec, abs(self._limit)

            def run() -> list[Document]:
                if self._sort:
                    # Sorted by mongomock's own order, up to the limit: only those are copied.
                    documents = collection.matching_spec(spec, list(self._sort.items()), limit)
                else:
                    documents = database.natural_order.shuffled(collection.matching_spec(spec))
                    # pymongo: 0 is no limit. Only what is returned is copied.
                    documents = documents[: limit or None]
                return collection.copies_out(documents)

            self._buffer.extend(await database._round_trip(self._command(), run))

    def _command(self) -> Document:
        """The find command pymongo sends for this query (pymongo.message._gen_find_command)."""
        command: Document = {"find": self._collection.name, "filter": self._filter}
        if self._sort:
            command["sort"] = self._sort
        if self._limit:
            command["limit"] = abs(self._limit)
            if self._limit < 0:
                command["singleBatch"] = True
        return command

    async def close(self) -> None:
        self._ran = True
        await super().close()
