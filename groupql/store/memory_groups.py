# mongomock is untyped.
# mypy: disable-error-code="no-untyped-call"

"""The in-memory engine's short way through the two aggregates the app sends on every page: a
group's last seq (`$sort`, then `$first` per group) and its member count (`$sum: 1` per group).

mongomock runs any pipeline by copying every document the `$match` keeps and passing them
through its general stages. For a `$match`, an optional `$sort` and one `$group` by a top-level
field with only `$sum: 1` and `$first` of a top-level field, the answer is read here from the
stored documents (sorted by mongomock's own stage), and only what it outputs is copied. Any
other pipeline, or a group key other than a string, an ObjectId or null (1, 1.0 and True group
differently in Python and in BSON), is left to mongomock (`grouped` gives None).
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from bson import ObjectId
from mongomock.aggregate import process_pipeline

from groupql.store.memory_collection import copied

Document = dict[str, Any]
# Group keys that equal only what BSON holds equal too (1, 1.0 and True would not).
_KEY_KINDS = (str, ObjectId, type(None))


def grouped(
    stored: Callable[[], list[Document]],
    database: Any,
    stages: Sequence[Mapping[str, Any]],
    *,
    walk: Callable[[list[tuple[str, int]]], Iterator[Document] | None] | None = None,
) -> list[Document] | None:
    """The `$group`'s output for the documents `stored()` gives (the `$match`'s, not copies, in
    the order the engine reads them) then `stages`, or None when this is not that shape. The
    `$sort` is mongomock's own stage (no copy), unless `walk(sort)` reads the `$match`'s
    documents in that order along an index: then nothing is sorted."""
    rest = list(stages)
    sort = None
    if rest and set(rest[0]) == {"$sort"}:
        sort = rest.pop(0)["$sort"]
        if (
            not isinstance(sort, dict)
            or not sort
            or any(
                type(direction) is not int or direction not in (1, -1)
                for direction in sort.values()
            )
        ):
            return None  # mongomock says what is wrong with it
    if len(rest) != 1 or set(rest[0]) != {"$group"}:
        return None
    group = rest[0]["$group"]
    by = _top_level_field(group.get("_id"))
    if by is None:
        return None
    outputs: list[tuple[str, str | None]] = []  # (name, field of $first) / (name, None: $sum 1)
    for name, accumulator in group.items():
        if name == "_id":
            continue
        if not isinstance(accumulator, dict) or len(accumulator) != 1:
            return None
        [(operator, argument)] = accumulator.items()
        if operator == "$sum" and type(argument) is int and argument == 1:
            outputs.append((name, None))
        elif operator == "$first" and (field := _top_level_field(argument)) is not None:
            outputs.append((name, field))
        else:
            return None
    documents: Iterable[Document] | None = None
    if sort is not None and walk is not None:
        documents = walk(list(sort.items()))
    if documents is None:
        documents = stored()
        if sort is not None:
            documents = list(process_pipeline(documents, database, [{"$sort": sort}], None))
    found: dict[Any, Document] = {}
    for document in documents:
        key = document.get(by)
        if type(key) not in _KEY_KINDS:
            return None  # mongomock's own grouping decides (an array, say, that $in matched)
        kept = found.get(key)
        if kept is None:
            kept = found[key] = {"_id": copied(key)}
            for name, field in outputs:
                kept[name] = 0 if field is None else copied(document.get(field))
        for name, field in outputs:
            if field is None:
                kept[name] += 1
    return list(found.values())


def _top_level_field(expression: Any) -> str | None:
    if isinstance(expression, str) and expression.startswith("$") and len(expression) > 1:
        field = expression[1:]
        if "." not in field and not field.startswith("$"):
            return field
    return None
