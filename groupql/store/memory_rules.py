"""What a MongoDB server (7, 8) refuses and mongomock lets through, one check per rule: each
raises what pymongo raises for it, with the server's code and a message close to the server's."""

# mongomock is untyped.
# mypy: disable-error-code="no-any-return"

import json
import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import bson
import mongomock
from bson import Decimal128, ObjectId
from pymongo import IndexModel
from pymongo.errors import DocumentTooLarge, OperationFailure, WriteError

Document = dict[str, Any]
Filter = Mapping[str, Any]
Update = Mapping[str, Any]

MAX_BSON_SIZE = 16 * 1024 * 1024  # a server's maxBsonObjectSize
# pymongo sends a command up to this much larger than that; a larger one it refuses unsent.
_COMMAND_OVERHEAD = 16382

_UPDATE_OPERATORS = frozenset(
    {
        "$addToSet",
        "$bit",
        "$currentDate",
        "$inc",
        "$max",
        "$min",
        "$mul",
        "$pop",
        "$pull",
        "$pullAll",
        "$push",
        "$rename",
        "$set",
        "$setOnInsert",
        "$unset",
    }
)
_BSON_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (str, "string"),
    (bool, "bool"),
    (type(None), "null"),
    (Mapping, "object"),
    (list, "array"),
    (datetime, "date"),
    (ObjectId, "objectId"),
    (bytes, "binData"),
)
_MISSING = object()
_CHANGED = object()


class Refused(Exception):
    """The server's refusal of a command, to be raised as pymongo raises it: `raised_by`."""

    def __init__(self, code: int, message: str, *, while_applying: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # The server prefixes what it finds while applying a write, not while parsing it.
        self.while_applying = while_applying

    def raised_by(self, command: str) -> OperationFailure:
        message = self.message
        if self.while_applying:
            message = f"Plan executor error during {command} :: caused by :: {message}"
        if command in ("insert", "update"):
            # A write command succeeds with each refused statement in its writeErrors.
            return WriteError(message, self.code, {"index": 0, "code": self.code, "errmsg": message})
        return OperationFailure(message, self.code, {"ok": 0.0, "errmsg": message, "code": self.code})


def check_update(
    collection: Any, filter: Filter, update: Update, *, sort: Any, upsert: bool
) -> None:
    """Refuse, as a server would, the update mongomock is about to apply to `collection`."""
    check_operators_are_known(update)
    check_paths_do_not_conflict(update)
    target = collection.find_one(filter, sort=sort)
    check_increments_are_numeric(update, target)
    if target is None and not upsert:
        return
    inserting = target is None
    applied = {op: fields for op, fields in update.items() if inserting or op != "$setOnInsert"}
    check_positional_operator_matched(filter, applied, target)
    check_id_is_unchanged(applied, _id_named_by(filter) if inserting else target["_id"])
    check_document_fits(_dry_run(target, filter, update), inserted=inserting)


def check_operators_are_known(update: Update) -> None:
    # MongoDB code 9 (FailedToParse): each key of an update is an operator, whose value names
    # the fields it changes. (pymongo itself refuses an empty update, and one whose first key is
    # not an operator; an empty operator, {"$set": {}}, is a no-op since MongoDB 5.)
    for operator, fields in update.items():
        if operator not in _UPDATE_OPERATORS:
            raise Refused(
                9,
                f"Unknown modifier: {operator}. Expected a valid update modifier or "
                "pipeline-style update specified as an array",
            )
        if not isinstance(fields, Mapping):
            raise Refused(
                9,
                f"Modifiers operate on fields but we found type {_type_name(fields)} instead. "
                f"For example: {{$mod: {{<field>: ...}}}} not {{{operator}: {_shell(fields)}}}",
            )


def check_paths_do_not_conflict(update: Update) -> None:
    # MongoDB code 40 (ConflictingUpdateOperators): an update changes a path once, whatever the
    # operators ($setOnInsert included), and never a path together with one inside it.
    changed: dict[str, Any] = {}
    for _, path in _paths(update):
        node, parts = changed, path.split(".")
        for depth in range(1, len(parts)):
            node = node.setdefault(parts[depth - 1], {})
            if node is _CHANGED:
                conflict = ".".join(parts[:depth])
                raise Refused(40, f"Updating the path '{path}' would create a conflict at '{conflict}'")
        if parts[-1] in node:
            raise Refused(40, f"Updating the path '{path}' would create a conflict at '{path}'")
        node[parts[-1]] = _CHANGED


def check_positional_operator_matched(
    filter: Filter, applied: Update, document: Document | None
) -> None:
    # MongoDB code 2 (BadValue): `$` in a path stands for the element the filter matched in that
    # array, so the filter must match inside it (and an upsert that inserts matched nothing).
    for _, path in _paths(applied):
        parts = path.split(".")
        if "$" not in parts:
            continue
        array = ".".join(parts[: parts.index("$")])
        filtered = any(key == array or key.startswith(f"{array}.") for key in _filter_keys(filter))
        if document is None or not filtered or not isinstance(_value_at(document, array), list):
            raise Refused(
                2,
                "The positional operator did not find the match needed from the query.",
                while_applying=True,
            )


def check_id_is_unchanged(applied: Update, id_before: Any) -> None:
    # MongoDB code 66 (ImmutableField): an update may set _id only to the value it has, and an
    # upsert whose filter names an _id inserts that one. Any other field the filter names is
    # only where an upsert starts from: its operators may change it.
    if id_before is _MISSING:
        return
    for operator, path in _paths(applied):
        if path.split(".")[0] != "_id":
            continue
        if operator in ("$set", "$setOnInsert") and applied[operator].get(path) == id_before:
            continue
        raise Refused(
            66,
            "Performing an update on the path '_id' would modify the immutable field '_id'",
            while_applying=True,
        )


def check_increments_are_numeric(update: Update, document: Document | None) -> None:
    # MongoDB code 14 (TypeMismatch): $inc and $mul take numbers, and change only numbers.
    for operator, verb in (("$inc", "increment"), ("$mul", "multiply")):
        for path, amount in update.get(operator, {}).items():
            if not _is_number(amount):
                raise Refused(
                    14, f"Cannot {verb} with non-numeric argument: {{{path}: {_shell(amount)}}}"
                )
            value = _MISSING if document is None else _value_at(document, path)
            if value is not _MISSING and not _is_number(value):
                assert document is not None
                raise Refused(
                    14,
                    f"Cannot apply {operator} to a value of non-numeric type. "
                    f"{{_id: {_shell(document['_id'])}}} has the field '{path.split('.')[-1]}' "
                    f"of non-numeric type {_type_name(value)}",
                    while_applying=True,
                )


def check_document_fits(document: Document, *, inserted: bool) -> None:
    # MongoDB codes 17419 (an update) and 17420 (an upsert that inserts): a document holds at
    # most 16 MiB of BSON.
    if len(bson.encode(document)) <= MAX_BSON_SIZE:
        return
    if inserted:
        raise Refused(17420, f"Document to upsert is larger than {MAX_BSON_SIZE}", while_applying=True)
    raise Refused(
        17419, f"Resulting document after update is larger than {MAX_BSON_SIZE}", while_applying=True
    )


def check_insert_is_sendable(document: Document) -> None:
    """pymongo's own check, before it sends an insert: DocumentTooLarge, and no command."""
    size = _size_as_inserted(document)
    if size > MAX_BSON_SIZE + _COMMAND_OVERHEAD:
        raise DocumentTooLarge(
            f"BSON document too large ({size} bytes) - the connected server supports BSON "
            f"document sizes up to {MAX_BSON_SIZE + _COMMAND_OVERHEAD} bytes."
        )


def check_insert_fits(document: Document) -> None:
    # MongoDB code 10334 (BSONObjectTooLarge; BadValue, 2, before MongoDB 8): a document holds
    # at most 16 MiB of BSON. pymongo sends one up to 16 KiB larger, for the server to refuse.
    size = _size_as_inserted(document)
    if size > MAX_BSON_SIZE:
        raise Refused(
            10334, f"object to insert too large. size in bytes: {size}, max size: {MAX_BSON_SIZE}"
        )


def check_index_names_fit(existing: Mapping[str, Any], indexes: Sequence[IndexModel]) -> None:
    # MongoDB codes 86 (IndexKeySpecsConflict) and 85 (IndexOptionsConflict): a name stands for
    # one index. Asking for the same index again is a no-op; for another one, an error.
    for index in indexes:
        requested = dict(index.document)
        found = existing.get(requested["name"])
        if found is None:
            continue
        found = {"key": dict(found["key"]), "name": requested["name"], **_index_options(found)}
        both = f"Requested index: {_shell({'v': 2, **requested})}, existing index: " + _shell(
            {"v": 2, **found}
        )
        if list(found["key"].items()) != list(requested["key"].items()):
            raise Refused(
                86,
                "An existing index has the same name as the requested index. When index names "
                "are not specified, they are auto generated and can cause conflicts. Please refer "
                f"to our documentation. {both}",
            )
        if _index_options(found) != _index_options(requested):
            raise Refused(
                85,
                "An equivalent index already exists with the same name but different options. "
                + both,
            )


class NaturalOrder:
    """The order of documents where MongoDB promises none (a find without a sort, the output of
    $group): a shuffle, seeded so that a run repeats, that never keeps the order it was given,
    so code relying on insertion (or mongomock's) order fails here as it may on a server."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def shuffled(self, documents: list[Document]) -> list[Document]:
        shuffled = documents[:]
        self._random.shuffle(shuffled)
        if len(shuffled) > 1 and all(a is b for a, b in zip(shuffled, documents, strict=True)):
            shuffled.append(shuffled.pop(0))
        return shuffled


def _dry_run(target: Document | None, filter: Filter, update: Update) -> Document:
    """What `update` makes of `target`, or inserts when there is none, applied to a copy."""
    scratch = mongomock.MongoClient(tz_aware=True)["dry_run"]["documents"]
    if target is not None:
        scratch.insert_one(target)
    scratch.update_one(filter, update, upsert=target is None)
    return scratch.find_one({})


def _paths(update: Update) -> Iterator[tuple[str, str]]:
    """Each (operator, path) the update changes; $rename changes its source and its target."""
    for operator, fields in update.items():
        for path, value in fields.items():
            yield operator, path
            if operator == "$rename" and isinstance(value, str):
                yield operator, value


def _filter_keys(filter: Filter) -> Iterator[str]:
    for key, value in filter.items():
        if key in ("$and", "$or"):
            for clause in value:
                yield from _filter_keys(clause)
        elif not key.startswith("$"):
            yield key


def _id_named_by(filter: Filter) -> Any:
    """The _id an upsert's filter gives the document it inserts, if it gives one."""
    value = filter.get("_id", _MISSING)
    if isinstance(value, Mapping) and any(str(key).startswith("$") for key in value):
        return value.get("$eq", _MISSING)
    return value


def _value_at(document: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(document, Mapping) and part in document:
            document = document[part]
        elif isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        else:
            return _MISSING
    return document


def _index_options(index: Mapping[str, Any]) -> dict[str, Any]:
    # An option set to false (unique, sparse) is the index without it.
    ignored = ("key", "name", "v", "ns", "background")
    return {key: value for key, value in index.items() if key not in ignored and value is not False}


def _size_as_inserted(document: Document) -> int:
    return len(bson.encode({"_id": ObjectId(), **document}))  # pymongo adds the _id it lacks


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal128) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    return next(
        (name for kind, name in _BSON_TYPE_NAMES if isinstance(value, kind)), type(value).__name__
    )


def _shell(value: Any) -> str:
    """A value as the server writes it in a message: {a: 1, b: "x"}."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_shell(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_shell, value)) + "]"
    if isinstance(value, ObjectId):
        return f"ObjectId('{value}')"
    if isinstance(value, str | bool) or value is None:
        return json.dumps(value)
    return str(value)
