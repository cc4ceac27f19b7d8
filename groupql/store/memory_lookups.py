"""The keys of the in-memory engine's hash maps: which keys a document holds under a path, and
which keys a filter asks a path for, by mongomock's own matching rules, so that a look-up of
those keys finds every document mongomock's filter would (and the filter still decides); and the
map of one index prefix's keys to the documents holding them."""

# mongomock is untyped.
# mypy: disable-error-code="no-untyped-call"

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from mongomock.filtering import NOTHING, iter_key_candidates  # type: ignore[attr-defined]

from groupql.store.memory_orders import Order, Sort, Unordered

# Values that are their own key: Python's == between any two of them is the equality mongomock
# matches by, and agrees with their hash. Only these exact types: a subclass may not agree (an
# Enum hashes by name, an Int64 is another BSON type), so its document is always a candidate.
_KEYED = frozenset({str, int, float, bool, type(None), ObjectId, datetime, bytes})

# A document whose keys in one map would be more than this many (several arrays in one index's
# fields) is a candidate of every look-up of the map instead.
MAX_KEYS_PER_DOCUMENT = 1000

Document = dict[str, Any]
Keys = frozenset[Any]
# For each field, sets of keys: a matching document holds a key of each set under the field.
Wanted = dict[str, list[Keys]]
# An index's first fields.
Prefix = tuple[str, ...]
# The position of each document in its store (insertion order, which mongomock scans in).
Positions = dict[Any, int]
# What mongomock's comparison of sort values raises, besides values not kept in order.
CANNOT_ORDER = (Unordered, TypeError, NotImplementedError)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


# The key of a missing field: `{path: null}` matches it and null alike, `$exists: true` neither.
MISSING = _Missing()


def keys_under(document: Any, path: str) -> Keys | None:
    """The keys `document` holds under `path`; None when a value there is not keyed (a scan
    must judge it)."""
    candidates = iter_key_candidates(path, document)
    if (
        len(candidates) > 1
        and isinstance(candidates[0], list)
        and not all(isinstance(value, list) for value in candidates)
    ):
        return None  # mongomock's $all flattens such a mix (characters of strings, dict keys)
    keys: set[Any] = set()
    for value in candidates:
        if value is NOTHING:
            keys.add(MISSING)
        elif isinstance(value, list):
            for element in value:
                if type(element) in _KEYED:
                    keys.add(element)
                elif not isinstance(element, dict | list):
                    return None
        elif type(value) in _KEYED:
            keys.add(value)
        elif not isinstance(value, dict):
            # A subdocument never equals a keyed value; anything else may.
            return None
    return frozenset(keys)


def wanted_keys(filter: Mapping[str, Any]) -> Wanted:
    """The keys each field of `filter` asks for, in its own conditions and its $and's (not in
    an $or's: one of those is enough)."""
    wanted: Wanted = {}
    present: set[str] = set()
    _collect(filter, wanted, present)
    for path in present & wanted.keys():
        # `$exists: true` and `null` together match null only. (Through an array, a path has
        # several values, which may each match one of them: only top-level fields.)
        if "." not in path:
            wanted[path] = [keys - {MISSING} for keys in wanted[path]]
    return wanted


def _collect(filter: Mapping[str, Any], wanted: Wanted, present: set[str]) -> None:
    for path, condition in filter.items():
        if path == "$and" and isinstance(condition, list):
            for clause in condition:
                if isinstance(clause, dict):
                    _collect(clause, wanted, present)
        if path.startswith("$"):
            continue
        wanted.setdefault(path, []).extend(_alternatives(condition))
        if not wanted[path]:
            del wanted[path]
        if _is_operators(condition) and condition.get("$exists"):
            present.add(path)


def _alternatives(condition: Any) -> list[Keys]:
    if type(condition) in _KEYED:
        if isinstance(condition, ObjectId):
            # mongomock matches an ObjectId against its string in an array, too.
            return [frozenset({condition, str(condition)})]
        return [_keys_of_values([condition])]
    if not _is_operators(condition):
        return []  # a subdocument to equal, a regular expression...: not keyed
    alternatives: list[Keys] = []
    if "$eq" in condition and type(condition["$eq"]) in _KEYED:
        alternatives.append(_keys_of_values([condition["$eq"]]))
    values = condition.get("$in")
    if isinstance(values, list | tuple) and _all_keyed(values):
        alternatives.append(_keys_of_values(values))
    values = condition.get("$all")
    if isinstance(values, list | tuple) and values and _all_keyed(values):
        alternatives += [_keys_of_values([value]) for value in values]
    return alternatives


def _keys_of_values(values: Any) -> Keys:
    keys = frozenset(values)
    return keys | {MISSING} if None in keys else keys


def _is_operators(condition: Any) -> bool:
    return (
        isinstance(condition, dict)
        and bool(condition)
        and all(isinstance(key, str) and key.startswith("$") for key in condition)
    )


def _all_keyed(values: Any) -> bool:
    return all(type(value) in _KEYED for value in values)


class KeyMap:
    """Each document's keys under an index prefix's fields (one tuple per combination of their
    array elements, as a multikey index holds them), the documents holding each key, and those
    in the order of each sort they were read in with a limit."""

    def __init__(self, prefix: Prefix) -> None:
        self.prefix = prefix
        self._buckets: dict[tuple[Any, ...], Positions] = {}
        self._always: Positions = {}  # documents holding a value that is not keyed
        self._held: dict[Any, list[tuple[Any, ...]] | None] = {}
        self._orders: dict[tuple[Any, ...], dict[Sort, Order]] = {}

    def add(
        self, key: Any, position: int, document: Document, keys_of: Callable[[str], Keys | None]
    ) -> None:
        per_field = [keys_of(field) for field in self.prefix]
        if any(keys is None for keys in per_field) or (
            math.prod(len(keys) for keys in per_field if keys is not None) > MAX_KEYS_PER_DOCUMENT
        ):
            self._always[key] = position
            self._held[key] = None
            return
        held = list(itertools.product(*(keys for keys in per_field if keys is not None)))
        for one in held:
            self._buckets.setdefault(one, {})[key] = position
            self._reorder(one, lambda order: order.add(key, position, document))
        self._held[key] = held

    def remove(self, key: Any) -> None:
        held = self._held.pop(key, None)
        if held is None:
            self._always.pop(key, None)
            return
        for one in held:
            bucket = self._buckets[one]
            del bucket[key]
            self._reorder(one, lambda order: order.remove(key))
            if not bucket:
                del self._buckets[one]
                self._orders.pop(one, None)

    def find(self, wanted: list[Keys]) -> Positions:
        """The documents holding, for each field, one of its keys: the combinations looked up."""
        found = dict(self._always)
        for one in itertools.product(*wanted):
            found.update(self._buckets.get(one, {}))
        return found

    def count(self, one: tuple[Any, ...]) -> int:
        return len(self._buckets.get(one, ()))

    def ordered(
        self, one: tuple[Any, ...], sort: Sort, documents: Mapping[Any, Document]
    ) -> Iterable[int]:
        """The positions of the documents holding `one`, in `sort`'s order; nothing if some may
        not be kept in order (or some other documents may match too)."""
        if self._always:
            raise Unordered
        bucket = self._buckets.get(one)
        if bucket is None:
            return ()
        orders = self._orders.setdefault(one, {})
        if sort not in orders:
            members = ((key, position, documents[key]) for key, position in bucket.items())
            orders[sort] = Order(sort, members)
        return orders[sort]

    def _reorder(self, one: tuple[Any, ...], change: Callable[[Order], None]) -> None:
        orders = self._orders.get(one, {})
        for sort, order in list(orders.items()):
            try:
                change(order)
            except CANNOT_ORDER:
                del orders[sort]  # a read sorts its documents afresh


# Values that equal only values of their own type, alike in Python, mongomock and BSON.
_PLAIN = frozenset({str, ObjectId})


@dataclass(frozen=True)
class PlainFilter:
    """A filter of top-level fields each equal to, or `$in`, strings and ObjectIds (what the
    app's look-ups by id and by group are), read once: the keys it wants (what wanted_keys
    would say), and whether a document surely matches it."""

    wanted: Wanted
    values: tuple[tuple[str, Keys], ...]  # each field's values

    def surely(self, document: Mapping[str, Any]) -> bool:
        """Whether `document` surely matches, by a set look-up per field. False is "not surely":
        mongomock's filter decides (an array, another type)."""
        for path, values in self.values:
            value = document.get(path)
            if type(value) not in _PLAIN or value not in values:
                return False
        return True


def plain_filter(filter: Any) -> PlainFilter | None:
    """`filter` read as a PlainFilter; None for any other filter."""
    if not isinstance(filter, dict) or not filter:
        return None
    wanted: Wanted = {}
    values: list[tuple[str, Keys]] = []
    for path, condition in filter.items():
        if path.startswith("$") or "." in path:
            return None
        kind = type(condition)
        if kind in _PLAIN:
            values.append((path, frozenset((condition,))))
            # As _alternatives: mongomock matches an ObjectId against its string in an array.
            keys = frozenset((condition, str(condition))) if kind is ObjectId else values[-1][1]
        elif (
            kind is dict
            and len(condition) == 1
            and type(listed := condition.get("$in")) is list
            and all(type(value) in _PLAIN for value in listed)
        ):
            keys = frozenset(listed)
            values.append((path, keys))
        else:
            return None
        wanted[path] = [keys]
    return PlainFilter(wanted, tuple(values))
