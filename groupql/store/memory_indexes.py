"""The in-memory engine's indexes: hash maps from the key prefixes of each declared index to the
documents holding those keys, and TTL expiry in time order, kept current on every write of the
collection's store, so that a look-up examines only the documents it may match."""

# mongomock is untyped.
# mypy: disable-error-code="no-untyped-call"

import heapq
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import mongomock
from mongomock.filtering import filter_applies
from mongomock.store import (
    CollectionStore,
    DatabaseStore,
    ServerStore,
    _get_min_datetime_from_value,
)

from groupql.store.memory_lookups import (
    CANNOT_ORDER,
    KeyMap,
    Keys,
    PlainFilter,
    Positions,
    Prefix,
    Wanted,
    keys_under,
    wanted_keys,
)
from groupql.store.memory_orders import sort_of

Document = dict[str, Any]

# A look-up of more keys than this (an $in on each of several fields) takes a shorter prefix.
_MAX_KEYS_PER_LOOKUP = 1000


class Expiry:
    """The documents of a TTL index by the time they expire: what mongomock's scan of the whole
    collection at every read deletes, found from the earliest."""

    def __init__(self, field: str, after_s: int) -> None:
        self._field = field
        self._after_s = after_s
        self._heap: list[tuple[datetime, int, Any]] = []
        self._at: dict[Any, datetime] = {}
        self._ties = itertools.count()

    def add(self, key: Any, document: Document) -> None:
        # mongomock's own reading of the field: the earliest date of an array, none if falsy.
        at = _get_min_datetime_from_value(document.get(self._field))
        if not isinstance(at, datetime) or at.tzinfo is not None or at == datetime.max:
            self._at.pop(key, None)  # never expires: mongomock's subtraction fails or is negative
        elif self._at.get(key) != at:
            self._at[key] = at
            heapq.heappush(self._heap, (at, next(self._ties), key))
            if len(self._heap) > 2 * len(self._at) + 64:
                self._heap = [(at, next(self._ties), key) for key, at in self._at.items()]
                heapq.heapify(self._heap)

    def remove(self, key: Any) -> None:
        self._at.pop(key, None)

    def due(self, now: datetime) -> list[Any]:
        due = []
        while self._heap:
            at, _, key = self._heap[0]
            try:
                if (now - at).total_seconds() < self._after_s:  # as mongomock compares
                    break
            except TypeError:
                break
            heapq.heappop(self._heap)
            if self._at.get(key) == at:  # else the document changed or went since
                del self._at[key]
                due.append(key)
        return due


class IndexedStore(CollectionStore):
    """mongomock's store of one collection, with its indexes' maps: every write through it
    (insert, replace, delete, TTL expiry) updates them, and `refresh` after mongomock changed a
    document in place. With `uses_indexes` false it scans as mongomock does (benchmarks)."""

    def __init__(self, name: str, *, uses_indexes: bool) -> None:
        super().__init__(name)
        self.uses_indexes = uses_indexes
        self.examined = 0  # documents a filter was applied to, read by tests and benchmarks
        self._reset()

    def _reset(self) -> None:
        self._positions: Positions = {}
        # Each stored document by its position: read back by int (an ObjectId key hashes by a
        # Python-level __hash__, for every document a look-up returns).
        self._at: dict[int, Document] = {}
        self._next_position = itertools.count()
        self._maps: dict[Prefix, KeyMap] = {}
        self._expiries: dict[str, Expiry] = {}
        self._prefixes: list[Prefix] = []
        self._fields_of: dict[Prefix, frozenset[str]] = {}  # each prefix's fields, as a set

    def candidates(self, filter: Any, plain: PlainFilter | None) -> list[Document] | None:
        """The documents `filter` (read as `plain`, when it is one) may match, in the store's
        order; None when no index narrows them (the filter is applied to every document)."""
        if not self.uses_indexes or not isinstance(filter, dict):
            return None
        # A plain filter has no $or, no $and: what its fields want is all it says.
        found = self._narrowest_of(plain.wanted) if plain is not None else self._narrowest(filter)
        if found is None:
            return None
        at = self._at
        return [at[position] for position in sorted(found.values())]

    def in_order(
        self, filter: Any, plain: PlainFilter | None, sort: Any
    ) -> Iterator[Document] | None:
        """The documents `filter` (read as `plain`, when it is one) may match in `sort`'s
        order, when the longest declared prefix it names holds them under one key; None
        otherwise."""
        kept_sort = sort_of(sort)
        if not self.uses_indexes or kept_sort is None or not isinstance(filter, dict):
            return None
        wanted = plain.wanted if plain is not None else wanted_keys(filter)
        if "_id" in wanted:
            return None
        for prefix in self._declared():
            if wanted.keys() >= self._fields_of[prefix]:
                singles = [[alt for alt in wanted[field] if len(alt) == 1] for field in prefix]
                if not all(singles):
                    return None
                keymap = self._map(prefix)
                combinations = itertools.islice(itertools.product(*singles), 8)
                keyed = [tuple(next(iter(keys)) for keys in one) for one in combinations]
                one = min(keyed, key=keymap.count)  # the $all term fewest documents hold
                try:
                    positions = keymap.ordered(one, kept_sort, self._documents)
                except CANNOT_ORDER:
                    return None
                return map(self._at.__getitem__, positions)
        return None

    def filtered(
        self, documents: Iterable[Document], filter: Any, plain: PlainFilter | None
    ) -> Iterator[Document]:
        """The documents `filter` (read as `plain`, when it is one) matches."""
        surely = plain.surely if plain is not None else None
        for document in documents:
            self.examined += 1
            if (surely is not None and surely(document)) or filter_applies(filter, document):
                yield document

    def refresh(self, key: Any) -> None:
        """Re-read a document mongomock changed in place."""
        if self.uses_indexes and key in self._documents:
            self._unindex(key, deleted=False)
            self._index(key, self._documents[key])
            self._at[self._positions[key]] = self._documents[key]

    def _narrowest(self, filter: Mapping[str, Any]) -> Positions | None:
        options = self._options(wanted_keys(filter))  # the fields of its $and clauses too
        options += self._by_ors(filter)
        return min(options, key=len, default=None)

    def _narrowest_of(self, wanted: Wanted) -> Positions | None:
        """_narrowest of a filter without $or: what its fields want."""
        return min(self._options(wanted), key=len, default=None)

    def _options(self, wanted: Wanted) -> list[Positions]:
        return [self._by_id(wanted["_id"])] if "_id" in wanted else self._by_prefix(wanted)

    def _by_ors(self, filter: Mapping[str, Any]) -> list[Positions]:
        """The documents of each $or whose every clause an index narrows (the filter's, and
        those of its $and clauses)."""
        found = []
        clauses = filter.get("$or")
        if isinstance(clauses, list) and clauses:
            each = [self._narrowest(one) if isinstance(one, dict) else None for one in clauses]
            if all(one is not None for one in each):
                found.append({k: v for one in each if one is not None for k, v in one.items()})
        clauses = filter.get("$and")
        for clause in clauses if isinstance(clauses, list) else ():
            if isinstance(clause, dict):
                found += self._by_ors(clause)
        return found

    def _by_id(self, alternatives: list[Keys]) -> Positions:
        ids = min(alternatives, key=len)
        positions = self._positions  # every stored document's, with indexes in use
        return {key: at for key in ids if (at := positions.get(key)) is not None}

    def _by_prefix(self, wanted: Wanted) -> list[Positions]:
        """The documents of the longest declared prefix `wanted` names, with the fewest."""
        for prefix in self._declared():
            if not wanted.keys() >= self._fields_of[prefix]:
                continue
            choices = list(itertools.islice(itertools.product(*(wanted[f] for f in prefix)), 8))
            choices = [one for one in choices if math.prod(map(len, one)) <= _MAX_KEYS_PER_LOOKUP]
            if choices:
                keymap = self._map(prefix)
                return [min((keymap.find(list(one)) for one in choices), key=len)]
        return []

    def _declared(self) -> list[Prefix]:
        """The key prefixes of the declared indexes, longest first."""
        if not self._prefixes:
            prefixes = {
                tuple(field for field, _ in index["key"][:length])
                for index in self.indexes.values()
                for length in range(1, len(index["key"]) + 1)
            }
            self._prefixes = sorted(prefixes, key=lambda prefix: (-len(prefix), prefix))
            self._fields_of = {prefix: frozenset(prefix) for prefix in self._prefixes}
        return self._prefixes

    def _map(self, prefix: Prefix) -> KeyMap:
        keymap = self._maps.get(prefix)
        if keymap is None:
            # Built at its first use, from every document, then kept current.
            keymap = self._maps[prefix] = KeyMap(prefix)
            for key, document in self._documents.items():
                self.examined += 1
                keymap.add(key, self._positions[key], document, _keys_of(document))
        return keymap

    def _index(self, key: Any, document: Document) -> None:
        keys_of = _keys_of(document)
        for keymap in self._maps.values():
            keymap.add(key, self._positions[key], document, keys_of)
        for expiry in self._expiries.values():
            expiry.add(key, document)

    def _unindex(self, key: Any, *, deleted: bool) -> None:
        for keymap in self._maps.values():
            keymap.remove(key)
        if deleted:
            for expiry in self._expiries.values():
                expiry.remove(key)

    def __setitem__(self, key: Any, document: Document) -> None:
        if self.uses_indexes:
            if key in self._documents:  # mongomock puts back a document it failed to update
                self._unindex(key, deleted=False)
            else:
                self._positions[key] = next(self._next_position)
        super().__setitem__(key, document)
        if self.uses_indexes:
            self._at[self._positions[key]] = document
            self._index(key, document)

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        if self.uses_indexes:
            self._unindex(key, deleted=True)
            del self._at[self._positions.pop(key)]

    def drop(self) -> None:
        super().drop()
        self._reset()

    def create_index(self, index_name: str, index_dict: Mapping[str, Any]) -> None:
        super().create_index(index_name, index_dict)
        self._prefixes = []
        expiry = _expiry_of(index_dict) if index_name in self._ttl_indexes else None
        if self.uses_indexes and expiry is not None:
            self._expiries[index_name] = expiry
            for key, document in self._documents.items():
                expiry.add(key, document)

    def drop_index(self, index_name: str) -> None:
        super().drop_index(index_name)
        self._expiries.pop(index_name, None)
        self._prefixes = []
        for prefix in set(self._maps) - set(self._declared()):
            del self._maps[prefix]

    def _remove_expired_documents(self) -> None:
        if not self.uses_indexes:
            self.examined += len(self._documents) * len(self._ttl_indexes)  # each TTL scans all
            super()._remove_expired_documents()
            return
        for expiry in self._expiries.values():
            for key in expiry.due(mongomock.utcnow()):  # type: ignore[attr-defined]
                self.examined += 1
                del self[key]


def _keys_of(document: Document) -> Callable[[str], Keys | None]:
    """A document's keys under each path, each read once."""
    cache: dict[str, Keys | None] = {}

    def keys_of(path: str) -> Keys | None:
        if path not in cache:
            cache[path] = keys_under(document, path)
        return cache[path]

    return keys_of


def _expiry_of(index: Mapping[str, Any]) -> Expiry | None:
    # As mongomock: a TTL index of one field, with a whole number of seconds.
    try:
        after_s = int(index["expireAfterSeconds"])
    except ValueError:
        return None
    if len(index["key"]) > 1:
        return None
    return Expiry(index["key"][0][0], after_s)


class IndexedDatabaseStore(DatabaseStore):
    def __init__(self, *, uses_indexes: bool) -> None:
        super().__init__()
        self._uses_indexes = uses_indexes

    def __getitem__(self, name: str) -> IndexedStore:
        store = self._collections.get(name)
        if store is None:
            store = self._collections[name] = IndexedStore(name, uses_indexes=self._uses_indexes)
        return store


class IndexedServerStore(ServerStore):
    """The data of one in-memory server, each collection an IndexedStore."""

    def __init__(self, *, uses_indexes: bool) -> None:
        super().__init__()
        self._uses_indexes = uses_indexes

    def __getitem__(self, name: str) -> IndexedDatabaseStore:
        store = self._databases.get(name)
        if store is None:
            store = self._databases[name] = IndexedDatabaseStore(uses_indexes=self._uses_indexes)
        return store
