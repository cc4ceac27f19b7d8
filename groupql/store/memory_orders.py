"""The documents of one index key in the order a sort gives them, kept sorted as they change, so
that a sorted find with a limit reads its first documents instead of sorting every match (as
a MongoDB index walk in order does)."""

# mongomock is untyped.
# mypy: disable-error-code="no-untyped-call"

import bisect
import operator
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from bson import ObjectId
from mongomock.filtering import resolve_sort_key

Document = dict[str, Any]
# A find's sort: (path, direction) pairs, the first deciding first.
Sort = tuple[tuple[str, int], ...]

# Values whose comparisons (mongomock's bson_compare) order them strictly: by their type, then
# as Python compares them. Another one (a subdocument, NaN, an aware date) is not kept in order.
_ORDERED = frozenset({str, int, float, bool, type(None), ObjectId, datetime, bytes})


class Unordered(Exception):
    """A document holds a sort value that is not kept in order."""


class _SortKey:
    """Where a document sorts: mongomock sorts by each key, stably, from the last, so ties on
    every key keep the store's order (its position)."""

    __slots__ = ("descending", "key", "position", "values")

    def __init__(self, sort: Sort, key: Any, position: int, document: Document) -> None:
        self.values = [resolve_sort_key(path, document) for path, _ in sort]
        for _, value in self.values:
            one = value.obj
            if (
                type(one) not in _ORDERED
                or (isinstance(one, float) and one != one)
                or (isinstance(one, datetime) and one.tzinfo is not None)
            ):
                raise Unordered
        self.descending = [direction < 0 for _, direction in sort]
        self.key = key
        self.position = position

    def __lt__(self, other: "_SortKey") -> bool:
        for mine, theirs, descending in zip(
            self.values, other.values, self.descending, strict=True
        ):
            if mine < theirs:
                return not descending
            if theirs < mine:
                return descending
        return self.position < other.position


class Order:
    """Documents (by their key and their position in the store) in a sort's order."""

    def __init__(self, sort: Sort, documents: Iterable[tuple[Any, int, Document]]) -> None:
        self._sort = sort
        self._keys = sorted(_SortKey(sort, *one) for one in documents)
        self._of = {one.key: one for one in self._keys}

    def add(self, key: Any, position: int, document: Document) -> None:
        one = _SortKey(self._sort, key, position, document)
        bisect.insort(self._keys, one)
        self._of[key] = one

    def remove(self, key: Any) -> None:
        one = self._of.pop(key)
        index = bisect.bisect_left(self._keys, one)
        if index < len(self._keys) and self._keys[index] is one:
            del self._keys[index]
        else:  # not where its key says: a sort value changed type under it (cannot happen)
            self._keys.remove(one)

    def __iter__(self) -> Iterator[int]:
        """The documents' positions in the store, in the sort's order."""
        return map(_position, self._keys)


_position = operator.attrgetter("position")


def sort_of(sort: Any) -> Sort | None:
    """A find's sort as kept in order; None for one that is not ($natural, an operator)."""
    if not sort:
        return None
    try:
        pairs = tuple((path, direction) for path, direction in dict(sort).items())
    except (TypeError, ValueError):
        return None
    if len(pairs) != len(sort) or any(
        not isinstance(path, str) or path.startswith("$") or not isinstance(direction, int)
        for path, direction in pairs
    ):
        return None
    return pairs
