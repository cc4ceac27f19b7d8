"""Collections that tell the versions (groupql.versions) what each write touched, and the
current Reading what each read depends on: the response cache's view of the store.

A collection's documents are scoped by one key field, the one its reads and writes name: a
group's items, members and scores by `groupId`, a poll's votes by `itemId`, users and groups by
`_id`. A filter that names the key (equal to a value, or `$in` a list) touches those keys' scopes;
one that does not touches the whole collection. Collections without a key are one scope each.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pymongo import IndexModel, UpdateOne
from pymongo.results import (
    BulkWriteResult,
    DeleteResult,
    InsertManyResult,
    InsertOneResult,
    UpdateResult,
)

from groupql.store.collection import Collection, CommandCursor, Cursor, Document, Filter, Pipeline
from groupql.versions import ALL, ANY, Versions, scope
from groupql.versions import reading as readings

SCOPE_KEYS: Mapping[str, str] = {
    "users": "_id",
    "groups": "_id",
    "members": "groupId",
    "items": "groupId",
    "votes": "itemId",
    "metrics": "groupId",
    "scores": "groupId",
    "score_records": "groupId",
}
# Update operators that set a field to the value given (an upsert's new document among them).
_SETTING = ("$set", "$setOnInsert")


class Watched:
    """`inner`, noting reads on the current Reading and moving versions after each write (also
    after one that failed: it may have landed all the same, as a timed-out one can)."""

    def __init__(self, inner: Collection, versions: Versions) -> None:
        self._inner = inner
        self._versions = versions
        self._key = SCOPE_KEYS.get(inner.name)

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def unwatched(self) -> Collection:
        """The collection itself, whose writes move no versions."""
        return self._inner

    def __getattr__(self, name: str) -> Any:
        # What an engine has beyond the protocol (the in-memory engine's counters, for tests).
        return getattr(self._inner, name)

    # Reads

    def find(self, filter: Filter) -> Cursor:
        if not readings.is_reading():  # a write's reads, a live event's: nothing to note
            return self._inner.find(filter)
        if (ids := self._by_ids(filter)) is not None:
            return _NotedCursor(self._inner.find(filter), lambda found: self._read_of(ids, found))
        self._read(filter)
        return self._inner.find(filter)

    async def find_one(
        self,
        filter: Filter,
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
    ) -> Document | None:
        ids = self._by_ids(filter)
        if ids is None:
            self._read(filter)
        found = await self._inner.find_one(filter, projection=projection, sort=sort)
        if ids is not None:
            self._read_of(ids, [] if found is None else [found])
        return found

    async def aggregate(self, pipeline: Pipeline) -> CommandCursor:
        first = pipeline[0] if pipeline else {}
        self._read(first.get("$match", {}))
        return await self._inner.aggregate(pipeline)

    # Writes

    async def insert_one(self, document: Document) -> InsertOneResult:
        readings.note_write()
        try:
            return await self._inner.insert_one(document)
        finally:
            # pymongo (and the in-memory engine) give the document its _id in place.
            await self._moved(self._keys_of([document]))

    async def insert_many(
        self, documents: Sequence[Document], *, ordered: bool = True
    ) -> InsertManyResult:
        readings.note_write()
        try:
            return await self._inner.insert_many(documents, ordered=ordered)
        finally:
            await self._moved(self._keys_of(documents))

    async def find_one_and_update(
        self,
        filter: Filter,
        update: Mapping[str, Any],
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
        upsert: bool = False,
        return_document: bool = False,
    ) -> Document | None:
        readings.note_write()
        found: Document | None = None
        try:
            found = await self._inner.find_one_and_update(
                filter,
                update,
                projection=projection,
                sort=sort,
                upsert=upsert,
                return_document=return_document,
            )
            return found
        finally:
            keys = self._keys_of_write(filter, update)
            if keys is None and found is not None and not self._sets_key(update):
                keys = self._keys_of([found])  # the key it had, and still has
            await self._moved(keys)

    async def update_one(self, filter: Filter, update: Mapping[str, Any]) -> UpdateResult:
        readings.note_write()
        try:
            return await self._inner.update_one(filter, update)
        finally:
            await self._moved(self._keys_of_write(filter, update))

    async def delete_one(self, filter: Filter) -> DeleteResult:
        readings.note_write()
        try:
            return await self._inner.delete_one(filter)
        finally:
            await self._moved(self._keys_of_write(filter, {}))

    async def delete_many(self, filter: Filter) -> DeleteResult:
        readings.note_write()
        try:
            return await self._inner.delete_many(filter)
        finally:
            await self._moved(self._keys_of_write(filter, {}))

    async def bulk_write(
        self, requests: Sequence[UpdateOne], *, ordered: bool = True
    ) -> BulkWriteResult:
        readings.note_write()
        try:
            return await self._inner.bulk_write(requests, ordered=ordered)
        finally:
            keys: set[str] | None = set()
            for request in requests:
                # pymongo keeps an UpdateOne's filter and update in these attributes only.
                one = self._keys_of_write(request._filter, request._doc)
                keys = None if one is None or keys is None else keys | one
            await self._moved(keys)

    # Indexes change no document.

    async def create_indexes(self, indexes: Sequence[IndexModel]) -> list[str]:
        return await self._inner.create_indexes(indexes)

    async def index_information(self) -> Mapping[str, Any]:
        return await self._inner.index_information()

    async def drop_index(self, index_or_name: str) -> None:
        await self._inner.drop_index(index_or_name)

    def _read(self, filter: Filter) -> None:
        if not readings.is_reading():
            return
        name = self.name
        keys = self._pinned(filter)
        if keys is None:
            readings.note_read((scope(name, ANY),))
        else:
            readings.note_read([scope(name, ALL), *(scope(name, key) for key in keys)])

    def _by_ids(self, filter: Filter) -> set[str] | None:
        """The ids a filter names when it names them but not the key (documents by id)."""
        if self._key in (None, "_id") or self._key in filter or "_id" not in filter:
            return None
        return _values(filter["_id"])

    def _read_of(self, ids: set[str], found: Sequence[Document]) -> None:
        """A read of documents by id depends on the keys of those it found; on the whole
        collection when it did not find them all (one could be written later)."""
        if not readings.is_reading():
            return
        name, key = self.name, self._key
        keys = {str(doc[key]) for doc in found if key in doc}
        keyed = all(key in doc for doc in found)
        if not keyed or not {str(doc.get("_id")) for doc in found} >= ids:
            readings.note_read((scope(name, ANY),))
        readings.note_read([scope(name, ALL), *(scope(name, one) for one in keys)])

    async def _moved(self, keys: set[str] | None) -> None:
        """`keys` were written (None: documents of keys not known)."""
        name = self.name
        touched = [scope(name, ANY)]
        if keys is None:
            touched.append(scope(name, ALL))
        else:
            touched.extend(scope(name, key) for key in keys)
        await self._versions.moved(touched)

    def _pinned(self, filter: Filter) -> set[str] | None:
        """The keys a filter limits its documents to, or None when it names none."""
        if self._key is None or self._key not in filter:
            return None
        return _values(filter[self._key])

    def _keys_of_write(self, filter: Filter, update: object) -> set[str] | None:
        """The keys of the documents a write may change, before or after it (None: unknown)."""
        if self._key is None:
            return set()
        if not isinstance(update, Mapping):  # an aggregation pipeline may set anything
            return None
        keys = self._pinned(filter)
        for operator, fields in update.items():
            if not isinstance(fields, Mapping) or self._key not in fields:
                continue
            value = fields[self._key]
            if keys is None or operator not in _SETTING or isinstance(value, Mapping | list):
                return None
            keys = keys | {str(value)}
        return keys

    def _sets_key(self, update: object) -> bool:
        """Whether an update may give a document another key (or is a pipeline, which may)."""
        if not isinstance(update, Mapping):
            return True
        return any(
            isinstance(fields, Mapping) and self._key in fields for fields in update.values()
        )

    def _keys_of(self, documents: Sequence[Document]) -> set[str] | None:
        if self._key is None:
            return set()
        keys = {document.get(self._key) for document in documents}
        if None in keys:
            return None
        return {str(key) for key in keys}


def _values(condition: Any) -> set[str] | None:
    """The values a field's condition limits it to (equal to one, or `$in` a list), or None."""
    if isinstance(condition, Mapping):
        if condition.keys() == {"$eq"}:
            condition = condition["$eq"]
        elif condition.keys() == {"$in"} and isinstance(condition["$in"], list | tuple):
            return {str(value) for value in condition["$in"]}
        else:
            return None
    if condition is None or isinstance(condition, Mapping | list | tuple):
        return None
    return {str(condition)}


class _NotedCursor:
    """A cursor that tells what it found, once it has."""

    def __init__(self, inner: Cursor, found: Callable[[list[Document]], None]) -> None:
        self._inner = inner
        self._found = found

    def sort(
        self, key_or_list: str | list[tuple[str, int]], direction: int | None = None
    ) -> "_NotedCursor":
        self._inner = self._inner.sort(key_or_list, direction)
        return self

    def limit(self, limit: int) -> "_NotedCursor":
        self._inner = self._inner.limit(limit)
        return self

    async def to_list(self, length: int | None = None) -> list[Document]:
        documents = await self._inner.to_list(length)
        self._found(documents)
        return documents
