"""What a MongoDB server (7, 8) refuses in an update and mongomock applies: one check per rule,
each raising `Refused` with the server's code and a message close to the server's."""

# mongomock is untyped.
# mypy: disable-error-code="no-any-return"

from collections.abc import Iterator, Mapping
from typing import Any

import bson
import mongomock
from bson import Decimal128

from groupql.store.memory_rules import MAX_BSON_SIZE, Refused, bson_type_name, server_repr

Document = dict[str, Any]
Filter = Mapping[str, Any]
Update = Mapping[str, Any]

_OPERATORS = frozenset({
    "$addToSet", "$bit", "$currentDate", "$inc", "$max", "$min", "$mul", "$pop", "$pull",
    "$pullAll", "$push", "$rename", "$set", "$setOnInsert", "$unset",
})  # fmt: skip
_MISSING = object()
_CHANGED = object()


def check_update(
    collection: Any, filter: Filter, update: Update, *, sort: Any, upsert: bool
) -> None:
    """Refuse, as a server would, the update mongomock is about to apply to `collection`.

    What pymongo refuses unsent (an empty update, or one whose first key is a field) it refused.
    """
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
    # the fields it changes. (An operator with no fields, {"$set": {}}, is a no-op since 5.0.)
    for operator, fields in update.items():
        if operator not in _OPERATORS:
            raise Refused(
                9,
                f"Unknown modifier: {operator}. Expected a valid update modifier or "
                "pipeline-style update specified as an array",
            )
        if not isinstance(fields, Mapping):
            raise Refused(
                9,
                f"Modifiers operate on fields but we found type {bson_type_name(fields)} instead. "
                "For example: {$mod: {<field>: ...}} not "
                f"{{{operator}: {server_repr(fields)}}}",
            )


def check_paths_do_not_conflict(update: Update) -> None:
    # MongoDB code 40 (ConflictingUpdateOperators): an update changes a path once, whatever the
    # operators ($setOnInsert too, even when it does not insert), and never a path together with
    # a path inside it.
    changed: dict[str, Any] = {}
    for _, path in _paths(update):
        node, parts = changed, path.split(".")
        for depth in range(1, len(parts)):
            node = node.setdefault(parts[depth - 1], {})
            if node is _CHANGED:
                conflict = ".".join(parts[:depth])
                raise Refused(
                    40, f"Updating the path '{path}' would create a conflict at '{conflict}'"
                )
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
    # upsert whose filter names an _id inserts that one. Other fields the filter names are only
    # where an upsert starts from: its operators may change them.
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
                    14,
                    f"Cannot {verb} with non-numeric argument: {{{path}: {server_repr(amount)}}}",
                )
            value = _MISSING if document is None else _value_at(document, path)
            if document is not None and value is not _MISSING and not _is_number(value):
                raise Refused(
                    14,
                    f"Cannot apply {operator} to a value of non-numeric type. "
                    f"{{_id: {server_repr(document['_id'])}}} has the field "
                    f"'{path.split('.')[-1]}' of non-numeric type {bson_type_name(value)}",
                    while_applying=True,
                )


def check_document_fits(document: Document, *, inserted: bool) -> None:
    # MongoDB code 10334 (BSONObjectTooLarge; MongoDB 7 says 17419 after an update, 17420 for
    # an upsert that inserts): a document holds at most 16 MiB of BSON.
    if len(bson.encode(document)) > MAX_BSON_SIZE:
        what = "Document to upsert" if inserted else "Resulting document after update"
        raise Refused(10334, f"{what} is larger than {MAX_BSON_SIZE}", while_applying=True)


def _dry_run(target: Document | None, filter: Filter, update: Update) -> Document:
    """What `update` makes of `target`, or inserts when there is none, applied to a copy."""
    scratch: Any = mongomock.MongoClient(tz_aware=True)["dry_run"]["documents"]
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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal128) and not isinstance(value, bool)
