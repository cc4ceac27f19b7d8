"""What a MongoDB server (7, 8) refuses and mongomock lets through, raised as pymongo raises it
(`Refused`); the limits on inserts and index names (updates: memory_updates.py); and the order
of documents where a server promises none."""

import json
import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import bson
from bson import ObjectId
from pymongo import IndexModel
from pymongo.errors import DocumentTooLarge, OperationFailure, WriteError

Document = dict[str, Any]

MAX_BSON_SIZE = 16 * 1024 * 1024  # a server's maxBsonObjectSize
# pymongo sends a command up to this much larger than that; a larger one it refuses unsent.
_COMMAND_OVERHEAD = 16382

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


class Refused(Exception):
    """A server's refusal of a command, to be raised as pymongo raises it: `raised_by`."""

    def __init__(self, code: int, message: str, *, while_applying: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # The server prefixes what it finds while applying a write (not while parsing it).
        self.while_applying = while_applying

    def raised_by(self, command: str) -> OperationFailure:
        message = self.message
        if self.while_applying:
            message = f"Plan executor error during {command} :: caused by :: {message}"
        if command in ("insert", "update"):
            # A write command succeeds with each refused statement in its writeErrors.
            return WriteError(
                message, self.code, {"index": 0, "code": self.code, "errmsg": message}
            )
        return OperationFailure(
            message, self.code, {"ok": 0.0, "errmsg": message, "code": self.code}
        )


def check_insert_is_sendable(document: Document) -> None:
    """pymongo's own check before it sends an insert: DocumentTooLarge, and no command."""
    size = _size_as_inserted(document)
    if size > MAX_BSON_SIZE + _COMMAND_OVERHEAD:
        raise DocumentTooLarge(
            f"BSON document too large ({size} bytes) - the connected server supports BSON "
            f"document sizes up to {MAX_BSON_SIZE + _COMMAND_OVERHEAD} bytes."
        )


def check_insert_fits(document: Document) -> None:
    # MongoDB code 10334 (BSONObjectTooLarge; MongoDB 7 says 2, BadValue): a document holds at
    # most 16 MiB of BSON. pymongo sends one up to 16 KiB larger, for the server to refuse.
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
        both = (
            f"Requested index: {server_repr({'v': 2, **requested})}, "
            f"existing index: {server_repr({'v': 2, **found})}"
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
    """The order of documents where a server promises none (a find without a sort, the output of
    $group): a shuffle, seeded so that a run repeats, that never keeps the order it is given, so
    code relying on insertion order (or on mongomock's) fails here as it may on a server."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def shuffled(self, documents: list[Document]) -> list[Document]:
        shuffled = documents[:]
        self._random.shuffle(shuffled)
        if len(shuffled) > 1 and all(a is b for a, b in zip(shuffled, documents, strict=True)):
            shuffled.append(shuffled.pop(0))
        return shuffled


def server_repr(value: Any) -> str:
    """A value as a server writes it in a message: {a: 1, b: "x"}."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {server_repr(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(server_repr, value)) + "]"
    if isinstance(value, ObjectId):
        return f"ObjectId('{value}')"
    if isinstance(value, str | bool) or value is None:
        return json.dumps(value)
    return str(value)


def bson_type_name(value: Any) -> str:
    return next(
        (name for kind, name in _BSON_TYPE_NAMES if isinstance(value, kind)), type(value).__name__
    )


def _index_options(index: Mapping[str, Any]) -> dict[str, Any]:
    # An option set to false (unique, sparse) is the index without it.
    ignored = ("key", "name", "v", "ns", "background")
    return {key: value for key, value in index.items() if key not in ignored and value is not False}


def _size_as_inserted(document: Document) -> int:
    return len(bson.encode({"_id": ObjectId(), **document}))  # pymongo adds the _id it lacks
