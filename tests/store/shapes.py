"""The shape of a command the store sends: its collection, its kind and the structure of its
query without the values, the same for every call of one code path; and the listener that
records the shapes the apps under test send."""

import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import monitoring

from tests.store.planner import SHARD_KEYS

Shape = dict[str, Any]
Command = Mapping[str, Any]

# Vocabulary of a field's predicate in a filter shape: "=" (a value), "null" (matches null or a
# missing field), or its operators, sorted and joined by ", " ("$gt, $lt", "$in"), where
# "$in with null", "$ne null", "$exists true|false" and "$type <type>" keep what decides which
# documents they can match.


def shape_of(command: Command) -> Shape | None:
    """The shape of a command document as pymongo reports it to command listeners; None for a
    command that neither reads nor writes documents (createIndexes, ping, getMore, ...)."""
    kind = next(iter(command))
    build = _BUILDERS.get(kind)
    if build is None:
        return None
    return {"collection": command[kind], "kind": kind, **build(command)}


def key_of(shape: Mapping[str, Any]) -> str:
    """One string per shape, to compare and sort them."""
    return json.dumps(shape, sort_keys=True)


def filter_shape(filter: Mapping[str, Any]) -> Shape:
    shape: Shape = {}
    for field, condition in sorted(filter.items()):
        if field in ("$and", "$or", "$nor"):
            # One shape per kind of clause: an $or of one clause per group has one shape
            # however many groups it names.
            clauses = {key_of(clause): clause for clause in map(filter_shape, condition)}
            shape[field] = [clauses[key] for key in sorted(clauses)]
        elif field.startswith("$"):  # $expr, $text, $where: opaque to index bounds
            shape[field] = field
        else:
            shape[_path(field)] = _predicate(condition)
    return shape


def update_shape(update: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Any:
    """The update's operators; a replacement, or a pipeline's stages.

    Not the paths each operator changes: those follow the request, not the code (updateGroup
    $sets whichever of its fields the client sends; an invite without a limit $incs no
    usesLeft), and one code path must give one shape.
    """
    if not isinstance(update, Mapping):
        return [_stage(stage) for stage in update]
    if not all(key.startswith("$") for key in update):
        return "replacement"
    return sorted(update)


def _find(command: Command) -> Shape:
    return _query(command["filter"], command) | _if(command.get("limit"), limit=True)


def _find_and_modify(command: Command) -> Shape:
    return (
        _query(command["query"], command, projection_key="fields")
        | {"update": update_shape(command["update"])}
        | _if(command.get("upsert"), upsert=True)
    )


def _update(command: Command) -> Shape:
    """One statement's shape; a bulk write's statements must share theirs (one code path sends
    one kind of statement, however many)."""
    shapes = [
        {"filter": filter_shape(statement["q"]), "update": update_shape(statement["u"])}
        | _if(statement.get("upsert"), upsert=True)
        | _if(statement.get("multi"), multi=True)
        for statement in command["updates"]
    ]
    if any(shape != shapes[0] for shape in shapes):
        raise ValueError(f"a bulk update whose statements differ in shape: {shapes}")
    return shapes[0]


def _delete(command: Command) -> Shape:
    [statement] = command["deletes"]
    return {"filter": filter_shape(statement["q"])} | _if(statement["limit"], limit=True)


def _aggregate(command: Command) -> Shape:
    return {"pipeline": [_stage(stage) for stage in command["pipeline"]]}


def _insert(command: Command) -> Shape:
    """An insert has no query: what matters is whether its documents carry the shard key."""
    shard_key = SHARD_KEYS.get(command["insert"])
    if shard_key is None:
        return {}
    documents = command["documents"]
    return {"shardKey": [key for key in shard_key if all(key in doc for doc in documents)]}


_BUILDERS: Mapping[str, Callable[[Command], Shape]] = {
    "find": _find,
    "findAndModify": _find_and_modify,
    "update": _update,
    "delete": _delete,
    "aggregate": _aggregate,
    "insert": _insert,
}


def _query(
    filter: Mapping[str, Any], command: Command, *, projection_key: str = "projection"
) -> Shape:
    shape: Shape = {"filter": filter_shape(filter)}
    if command.get("sort"):
        shape["sort"] = _sort(command["sort"])
    if command.get(projection_key):
        shape["projection"] = {key: int(value) for key, value in command[projection_key].items()}
    return shape


def _if(condition: Any, **fields: Any) -> Shape:
    return fields if condition else {}


def _sort(sort: Mapping[str, int]) -> list[str]:
    """["field", "-field"]: ascending, descending, in order."""
    return [key if direction == 1 else f"-{key}" for key, direction in sort.items()]


def _stage(stage: Mapping[str, Any]) -> Shape:
    [(name, body)] = stage.items()
    if name == "$match":
        return {name: filter_shape(body)}
    if name == "$sort":
        return {name: _sort(body)}
    if name in ("$limit", "$skip"):
        return {name: True}
    return {name: _code(body)}  # $group, $unwind, $project: code, not request values


def _code(expression: Any, *, operand: bool = False) -> Any:
    """An expression with the values among its operators' operands left out (a rank counts
    the scores above the viewer's: {$gt: ["$score", 5000]} is one shape, whatever the score)."""
    if isinstance(expression, Mapping):
        return {key: _code(value) for key, value in expression.items()}
    if isinstance(expression, list):
        return [_code(value, operand=True) for value in expression]
    if operand and isinstance(expression, int | float) and not isinstance(expression, bool):
        return "?"
    return expression


def _predicate(condition: Any) -> str:
    if (
        isinstance(condition, Mapping)
        and condition
        and all(key.startswith("$") for key in condition)
    ):
        return ", ".join(sorted(_operator(op, value) for op, value in condition.items()))
    return "null" if condition is None else "="


def _operator(operator: str, value: Any) -> str:
    if operator == "$eq":
        return "null" if value is None else "="
    if operator in ("$in", "$nin") and None in value:
        return f"{operator} with null"
    if operator == "$ne" and value is None:
        return "$ne null"
    if operator == "$exists":
        return f"$exists {'true' if value else 'false'}"
    if operator == "$type":
        return f"$type {value}"
    return operator


def _path(path: str) -> str:
    """A dotted path with array positions as <n>: `pins.4` and `pins.9` are one shape."""
    return re.sub(r"(?<=\.)\d+(?=\.|$)", "<n>", path)


@dataclass
class Sighting:
    """A shape, the store function that sent it first and the test that was running."""

    shape: Shape
    sent_by: str
    test: str

    def describe(self) -> str:
        return f"{json.dumps(self.shape)}\n    sent by {self.sent_by} in {self.test}"


class ShapeRecorder(monitoring.CommandListener):
    """Records the shape of each command, once per shape."""

    def __init__(self) -> None:
        self.sightings: dict[str, Sighting] = {}
        self.errors: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
        # pymongo only prints what a listener raises: kept, so that the session fails with it.
        try:
            shape = shape_of(event.command)
        except Exception as error:
            self.errors.append(f"{event.command_name} in {test}: {error!r}")
            return
        if shape is not None and key_of(shape) not in self.sightings:
            self.sightings[key_of(shape)] = Sighting(shape, _store_function(), test)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


# Every app the tests start reports to it: tests/conftest.py passes it in mongo_listeners, and
# the plugin tests/query_shapes.py holds what it heard to the golden file.
RECORDER = ShapeRecorder()


def _store_function() -> str:
    """The public store function on the stack: a repository's method, not the helpers of
    documents.py or the in-memory engine."""
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if (
            path.parent.name == "store"
            and path.parent.parent.name == "groupql"
            and not path.stem.startswith("memory")
            and path.stem not in ("documents", "collection", "versioned")
            and not frame.f_code.co_name.startswith("_")
        ):
            return f"groupql/store/{path.name}:{frame.f_code.co_qualname}"
        frame = frame.f_back
    return "no store function"
