"""MongoDB's rules, as far as a query shape can show them: which declared index serves a shape
(equality, then sort, then range on a prefix of its keys; partial indexes only for queries that
imply their filter), and whether an operation on a sharded collection carries its shard key."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

from pymongo import IndexModel

from groupql.store.indexes import INDEXES

Shape = Mapping[str, Any]
FilterShape = Mapping[str, Any]

# The shard keys of docs/deployment.md; the other collections are unsharded.
SHARD_KEYS: Mapping[str, tuple[str, ...]] = {
    "items": ("groupId",),
    "members": ("groupId", "userId"),
    "votes": ("itemId", "userId"),
}

# What a golden-file entry may add to its shape: why a scan or a scatter-gather is right there.
MARKS = ("unindexed", "scatter")

_RANGE = frozenset({"$gt", "$gte", "$lt", "$lte"})
# Predicates that match no document missing the field (MongoDB's isSubsetOf for $exists: true).
_IMPLY_EXISTS = frozenset(
    {"=", *_RANGE, "$in", "$exists true", "$elemMatch", "$regex", "$size", "$all", "$ne null"}
)


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[tuple[str, int], ...]
    is_unique: bool = False
    partial: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, model: IndexModel) -> "Index":
        document = model.document
        return cls(
            name=document["name"],
            keys=tuple(document["key"].items()),
            is_unique=bool(document.get("unique")),
            partial=document.get("partialFilterExpression"),
        )


ID_INDEX = Index("_id_", (("_id", 1),), is_unique=True)


def declared_indexes(collection: str) -> list[Index]:
    """The `_id_` index every collection has, then the ones INDEXES declares."""
    return [ID_INDEX, *(Index.of(model) for model in INDEXES.get(collection, ()))]


def query_of(shape: Shape) -> tuple[FilterShape, list[str]] | None:
    """The filter and sort an index would have to serve; None for an insert."""
    if shape["kind"] == "aggregate":
        stages = shape["pipeline"]
        match = stages[0].get("$match", {}) if stages else {}
        sort = stages[1].get("$sort", []) if match and len(stages) > 1 else []
        return match, sort
    if shape["kind"] == "insert":
        return None
    return shape.get("filter", {}), shape.get("sort", [])


def serving_index(shape: Shape, indexes: Sequence[Index]) -> Index | None:
    query = query_of(shape)
    if query is None:
        return None
    filter, sort = query
    clauses = _or_clauses(filter)
    if clauses is None:
        return next((index for index in indexes if serves(index, filter, sort)), None)
    # An $or is served when each clause is (MongoDB's OR plan: one index scan per clause, merged
    # in sort order when each scan gives it); the first clause's index names the plan.
    served = [next((index for index in indexes if serves(index, c, sort)), None) for c in clauses]
    return None if None in served else served[0]


def _or_clauses(filter: FilterShape) -> list[FilterShape] | None:
    """Each clause of a top-level $or with the filter's other predicates; None without one."""
    if "$or" not in filter:
        return None
    rest = {field: kind for field, kind in filter.items() if field != "$or"}
    return [{**rest, **clause} for clause in filter["$or"]]


def serves(index: Index, filter: FilterShape, sort: Sequence[str]) -> bool:
    """Whether scanning `index` finds the documents without reading others and returns them in
    `sort` order, as MongoDB's planner would use it (no COLLSCAN, no blocking SORT)."""
    if not is_eligible(index, filter):
        return False
    bounds = dict(_conjuncts(filter))
    points = {field for field, bound in bounds.items() if bound == "point"}
    ins = {field for field, bound in bounds.items() if bound == "in"}
    ranges = {field for field, bound in bounds.items() if bound == "range"}
    keys = [field for field, _ in index.keys]
    prefix = list(takewhile(lambda key: key in points | ins, keys))
    if index.is_unique and len(prefix) == len(keys):
        return True  # at most one document per value: whatever else it filters or sorts
    if not prefix and keys[0] not in ranges:
        return False  # the whole index would be scanned
    equalities = {field for field, kind in _leaves(filter) if kind in ("=", "$all") or _is_in(kind)}
    if not equalities <= set(prefix) or not ranges <= set(keys):
        return False  # some documents would be read only to be filtered out
    return _provides_sort(index.keys, len(prefix), points, _directions(sort))


def is_eligible(index: Index, filter: FilterShape) -> bool:
    """MongoDB uses a partial index only for a query that implies its filter."""
    if index.partial is None:
        return True
    return _implies(filter, index.partial)


def is_targeted(shape: Shape) -> bool | None:
    """Whether a sharded cluster routes the operation by its shard key (None: unsharded)."""
    shard_key = SHARD_KEYS.get(shape["collection"])
    if shard_key is None:
        return None
    if shape["kind"] == "insert":
        return set(shard_key) <= set(shape.get("shardKey", ()))
    query = query_of(shape)
    assert query is not None
    clauses = _or_clauses(query[0])
    if clauses is not None and not (_writes_one(shape) or shape.get("upsert")):
        # Routed to the shards of each clause when every clause names its shard key.
        return all(
            dict(_conjuncts(clause)).get(shard_key[0]) in ("point", "in") for clause in clauses
        )
    bounds = dict(_conjuncts(query[0]))
    if _writes_one(shape) or shape.get("upsert"):
        # MongoDB 7.0 routes these only by an equality on the whole shard key (7.1 broadcasts).
        return all(bounds.get(field) == "point" for field in shard_key)
    return bounds.get(shard_key[0]) in ("point", "in")


def problems(
    entry: Shape, indexes: Callable[[str], Sequence[Index]] = declared_indexes
) -> list[str]:
    """What is wrong with a golden-file entry (a shape and its marks) under INDEXES."""
    shape = {key: value for key, value in entry.items() if key not in MARKS}
    found = []
    if query_of(shape) is not None:
        index = serving_index(shape, indexes(shape["collection"]))
        if index is None and "unindexed" not in entry:
            found.append(
                "no declared index serves it: add one to groupql/store/indexes.py or change the "
                'query; if a scan is right here, mark it "unindexed": "<why>"'
            )
        elif index is not None and "unindexed" in entry:
            found.append(f'index {index.name} serves it: remove its "unindexed" mark')
    targeted = is_targeted(shape)
    if targeted is False and "scatter" not in entry:
        key = ", ".join(SHARD_KEYS[shape["collection"]])
        found.append(
            f"it does not carry the shard key ({key}): a sharded cluster asks every shard; add "
            'the key to the query, or if that is right here, mark it "scatter": "<why>"'
        )
    elif targeted is not False and "scatter" in entry:
        found.append('it is not scatter-gather: remove its "scatter" mark')
    return found


def _writes_one(shape: Shape) -> bool:
    """findAndModify, an update of one document, a delete of one."""
    kind = shape["kind"]
    return (
        kind == "findAndModify"
        or (kind == "update" and not shape.get("multi"))
        or (kind == "delete" and bool(shape.get("limit")))
    )


def _conjuncts(filter: FilterShape) -> Iterator[tuple[str, str]]:
    """(field, bound) of each predicate every matching document satisfies, bound being
    point (= or null; $all, which MongoDB bounds by one of its values on a multikey index), in,
    range or other (no index bounds: $ne, $exists, ...)."""
    for field, kind in _leaves(filter):
        if kind in ("=", "null", "$all"):
            yield field, "point"
        elif _is_in(kind):
            yield field, "in"
        elif any(operator in _RANGE for operator in kind.split(", ")):
            yield field, "range"
        else:
            yield field, "other"


def _leaves(filter: FilterShape) -> Iterator[tuple[str, str]]:
    """The field predicates of a filter and of its $and clauses ($or and $nor bound nothing)."""
    for field, kind in filter.items():
        if field == "$and":
            for clause in kind:
                yield from _leaves(clause)
        elif not field.startswith("$"):
            yield field, kind


def _is_in(kind: str) -> bool:
    return kind.split(" ")[0] == "$in"


def _implies(filter: FilterShape, partial: Mapping[str, Any]) -> bool:
    """Whether every document `filter` matches also matches the partial filter expression, by
    what a shape shows: `$exists: true` is implied by any predicate that rules out a missing
    field (not by `null`, `$ne` or a `$in` holding null); `$type` only by the same `$type`; a
    comparison with a value by nothing, since a shape keeps no values."""
    for field, condition in partial.items():
        if field == "$and":
            if not all(_implies(filter, clause) for clause in condition):
                return False
        elif field == "$or":
            if not any(_implies(filter, clause) for clause in condition):
                return False
        elif not _has(filter, field, _implication_of(condition)):
            return False
    return True


def _implication_of(condition: Any) -> Callable[[str], bool]:
    if condition == {"$exists": True}:
        return lambda kind: any(
            operator in _IMPLY_EXISTS or operator.startswith("$type ")
            for operator in kind.split(", ")
        )
    if isinstance(condition, Mapping) and list(condition) == ["$type"]:
        return lambda kind: f"$type {condition['$type']}" in kind.split(", ")
    return lambda kind: False


def _has(filter: FilterShape, field: str, holds: Callable[[str], bool]) -> bool:
    """Whether the filter requires `holds` of `field`: as a predicate of its own, in an $and
    clause, or in every branch of an $or."""
    if field in filter and holds(filter[field]):
        return True
    if any(_has(clause, field, holds) for clause in filter.get("$and", ())):
        return True
    branches = filter.get("$or", ())
    return bool(branches) and all(_has(branch, field, holds) for branch in branches)


def _directions(sort: Sequence[str]) -> list[tuple[str, int]]:
    return [(key[1:], -1) if key.startswith("-") else (key, 1) for key in sort]


def _provides_sort(
    keys: Sequence[tuple[str, int]],
    prefix_length: int,
    points: set[str],
    sort: Sequence[tuple[str, int]],
) -> bool:
    """Whether the index returns documents in `sort` order: the sort's fields (less those fixed
    by an equality) are consecutive index keys, all in the index's direction or all reversed,
    right after equality keys. After a multi-value $in, MongoDB merges one sorted scan per
    value (SORT_MERGE), which serves the sort too."""
    wanted = [(field, direction) for field, direction in sort if field not in points]
    return not wanted or any(
        _sorted_from(keys[start:], wanted, points) for start in range(prefix_length + 1)
    )


def _sorted_from(
    keys: Sequence[tuple[str, int]], wanted: Sequence[tuple[str, int]], points: set[str]
) -> bool:
    along: int | None = None  # 1: the index's own direction, -1: reversed
    matched = 0
    for field, direction in keys:
        if matched == len(wanted):
            break
        if field == wanted[matched][0]:
            way = 1 if direction == wanted[matched][1] else -1
            if along not in (None, way):
                return False
            along, matched = way, matched + 1
        elif field not in points:
            return False
    return matched == len(wanted)
