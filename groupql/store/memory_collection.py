"""mongomock's collection, reading through the indexes of memory_indexes.py, and copying out only
the documents it returns."""

# mongomock is untyped.
# mypy: disable-error-code="no-untyped-call, no-any-return"

import copy
import functools
import itertools
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from bson import Decimal128, ObjectId
from bson.tz_util import utc
from mongomock import filtering, helpers
from mongomock.collection import Collection, validate_is_mapping

from groupql.store.memory_indexes import IndexedStore
from groupql.store.memory_lookups import PlainFilter, plain_filter

Document = dict[str, Any]
Sort = Iterable[tuple[str, int]] | Mapping[str, int] | None

# What a copy may share with the stored document: values nobody can change.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes, ObjectId, Decimal128})


class IndexedCollection(Collection):
    """Reads the documents a filter may match from the store's indexes (mongomock's filter
    still decides, in the store's order), and re-reads into them what mongomock's updates
    change in place."""

    def __init__(self, database: Any, name: str) -> None:
        database._ensure_valid_collection_name(name)
        super().__init__(
            database,
            name,
            _db_store=database._store,
            read_preference=database.read_preference,
            codec_options=database.codec_options,
        )
        self._inserting = False
        self._tz_aware = self.codec_options.tz_aware  # read for every document copied out
        self._updated: dict[Any, None] | None = None  # what an update may have changed

    @property
    def store(self) -> IndexedStore:
        return self._store

    def matching(
        self, filter: Mapping[str, Any], sort: Sort = None, limit: int = 0
    ) -> list[Document]:
        """The stored documents (not copies) `filter` matches, in the order mongomock's find
        gives them, the first `limit` of them (0: all)."""
        return self.matching_spec(spec_of(filter), sort, limit)

    def matching_spec(self, spec: Any, sort: Sort = None, limit: int = 0) -> list[Document]:
        """What `matching` returns, for a filter already made a spec (spec_of)."""
        return list(itertools.islice(self._in_order(spec, sort), limit or None))

    def copies_out(self, documents: Iterable[Document]) -> list[Document]:
        """Stored documents as find returns them (copy_out of each, without a projection)."""
        if self._tz_aware:
            return list(map(copied, documents))
        return [self.copy_out(document) for document in documents]

    def copy_out(self, document: Document, projection: Any = None) -> Document:
        """A stored document as find returns it: a copy, its dates aware in UTC."""
        if projection is None and self._tz_aware:
            return copied(document)
        projected: Document = self._copy_only_fields(document, projection, dict)
        if self.codec_options.tz_aware:
            return helpers.make_datetime_timezone_aware_in_document(projected)
        return projected

    def find_one(self, filter: Any = None, projection: Any = None, sort: Sort = None) -> Any:
        # mongomock's copies every match before it takes the first.
        if filter is None:
            filter = {}
        if not isinstance(filter, Mapping):
            filter = {"_id": filter}
        for document in self._in_order(spec_of(filter), sort):
            return self.copy_out(document, projection)
        return None

    def walk(self, filter: Mapping[str, Any], sort: Sort) -> Iterator[Document] | None:
        """The stored documents (not copies) `filter` matches in `sort`'s order, lazily, read
        along an index that keeps them in that order; None when no index does."""
        spec = spec_of(filter)
        return self._walk(spec, sort, plain_filter(spec))

    def _in_order(self, spec: Any, sort: Sort) -> Iterator[Document]:
        """What `spec` matches in `sort`'s order, lazily: from an index's documents kept in that
        order, the first ones only, else filtered, then sorted."""
        plain = plain_filter(spec)
        walked = self._walk(spec, sort, plain) if sort else None
        if walked is None:
            return _sorted(self._found(spec, plain), sort)
        return walked

    def _walk(self, spec: Any, sort: Sort, plain: PlainFilter | None) -> Iterator[Document] | None:
        store = self.store
        store._remove_expired_documents()
        walk = store.in_order(spec, plain, sort)
        if walk is None:
            return None
        if not store._documents:
            filtering.filter_applies(spec, {})  # as mongomock: checked when nothing is stored
        return store.filtered(walk, spec, plain)

    def _iter_documents(self, filter: Any) -> Iterator[Document]:
        # mongomock's own reads (its updates, deletes, counts) come through here.
        return self._found(filter, plain_filter(filter))

    def _found(self, filter: Any, plain: PlainFilter | None) -> Iterator[Document]:
        store = self.store
        store._remove_expired_documents()
        documents = store.candidates(filter, plain)
        if documents is None:
            documents = list(store._documents.values())
        if not documents:
            filtering.filter_applies(filter, {})  # as mongomock: checked when nothing is stored
        found = store.filtered(documents, filter, plain)
        if self._updated is None:
            return found
        return self._noted(found, self._updated)

    def _noted(self, found: Iterator[Document], updated: dict[Any, None]) -> Iterator[Document]:
        for document in found:
            updated[_key(document)] = None
            yield document

    def _insert(self, data: Any, session: Any = None, ordered: bool = True) -> Any:
        self._inserting = True  # the store indexed what it inserts
        try:
            return super()._insert(data, session, ordered)
        finally:
            self._inserting = False

    def _update(self, spec: Any, document: Any, upsert: bool = False, *args: Any, **kw: Any) -> Any:
        # mongomock changes the matched document in place, and may fail half way: what it
        # matched is read again, whatever happens.
        updated = self._updated = {}
        try:
            return super()._update(spec, document, upsert, *args, **kw)
        finally:
            self._updated = None
            for key in updated:
                self.store.refresh(key)

    def _ensure_uniques(self, new_data: Document) -> None:
        updated, self._updated = self._updated, None  # its look-ups change nothing
        try:
            if not self._inserting:
                key = _key(new_data)
                self.store.refresh(key)  # changed in place: its unique keys are looked up next
                if updated is not None:
                    updated.pop(key, None)
            super()._ensure_uniques(new_data)
        finally:
            self._updated = updated


def spec_of(filter: Mapping[str, Any]) -> Any:
    """A filter as mongomock's find matches it (refused as its find refuses it): its dates naive
    in UTC, to the millisecond, its tuples lists. A filter with none of those is its own spec
    (mongomock's pass would copy it as it is: most filters, of strings, ids and numbers)."""
    validate_is_mapping("filter", filter)
    if type(filter) is dict and _is_plain(filter):
        return filter
    return helpers.patch_datetime_awareness_in_document(filter)


def _is_plain(value: Any) -> bool:
    """Whether mongomock's pass over dates would change nothing in `value` but copy it: only
    dicts, lists and values nobody can change in it, and no datetime."""
    kind = type(value)
    if kind is dict:
        values: Any = value.values()
    elif kind is list:
        values = value
    else:
        return kind in _IMMUTABLE
    for one in values:  # noqa: SIM110 (a loop: all() of a generator costs a frame each filter)
        if type(one) not in _IMMUTABLE and not _is_plain(one):
            return False
    return True


def _sorted(documents: Iterator[Document], sort: Sort) -> Iterator[Document]:
    """mongomock's sort (Collection._get_dataset): stable, by each key from the last."""
    if not sort:
        return documents
    keys = list(sort.items() if isinstance(sort, Mapping) else sort)
    for sort_key, sort_direction in reversed(keys):
        if sort_key == "$natural":
            if sort_direction < 0:
                documents = iter(list(documents)[::-1])
            continue
        if sort_key.startswith("$"):
            raise NotImplementedError(f"Sorting by {sort_key} is not implemented in mongomock yet")
        by_key = functools.partial(_sort_key, sort_key)
        documents = iter(sorted(documents, key=by_key, reverse=sort_direction < 0))
    return documents


def _sort_key(key: str, document: Document) -> Any:
    return filtering.resolve_sort_key(key, document)


def copied(value: Any) -> Any:
    """mongomock's copy of a stored value and its pass making dates aware, in one."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict or kind is OrderedDict:  # mongomock stores OrderedDicts
        return {
            key: item
            if type(item) in _IMMUTABLE
            else (_AWARE.get(item) or _aware(item))
            if type(item) is datetime
            else copied(item)
            for key, item in value.items()
        }
    if kind is datetime:
        return _AWARE.get(value) or _aware(value)
    if kind is list:
        return [item if type(item) in _IMMUTABLE else copied(item) for item in value]
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [copied(item) for item in value]
    if isinstance(value, datetime):
        return value.replace(tzinfo=utc)
    return copy.copy(value)


# Each stored date as its copies read it (aware, in UTC), made once: datetime.replace costs more
# than the rest of a document's copy, and the same dates are read again and again. Dates are
# immutable, so copies may share them. (BSON has no `fold`: a date reads back with fold 0.)
_AWARE: dict[datetime, datetime] = {}
_MAX_AWARE = 200_000  # about 30 MB


def _aware(value: datetime) -> datetime:
    if len(_AWARE) >= _MAX_AWARE:
        _AWARE.clear()
    aware = _AWARE[value] = value.replace(tzinfo=utc, fold=0)
    return aware


def _key(document: Document) -> Any:
    """A document's key in its store."""
    id_ = document["_id"]
    return helpers.hashdict(id_) if isinstance(id_, dict) else id_
