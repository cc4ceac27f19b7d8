"""Field-to-key tables: how each record's fields are stored in a document, written once per record.

A table names, for every field of a record, the document key that holds it and how its value is
converted. Reading, writing whole records and writing `Changes` all go through the table, so a new
field is one line here; a table that misses a field of its record fails at import.
"""

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, Generic, TypeVar

from bson import ObjectId

from groupql.changes import Changes, Record
from groupql.store.collection import Document

R = TypeVar("R", bound=Record)

_REQUIRED = object()


def _same(value: Any) -> Any:
    return value


@dataclasses.dataclass(frozen=True)
class Key:
    """Where one field is stored: its document key, and how values go in and come out."""

    name: str
    load: Callable[[Any], Any] = _same
    dump: Callable[[Any], Any] = _same
    # What a document without the key reads as; by default the field's own default, or None
    # where the field may be None, and otherwise the key is required.
    missing: Any = _REQUIRED
    # A sub-record whose keys live in its parent's document (no key of its own).
    inline: "Table[Any] | None" = None


def id_key(name: str = "_id") -> Key:
    """A record's string id, stored as an ObjectId."""
    return Key(name, load=str, dump=ObjectId)


def enum_key(kind: type[Enum], name: str) -> Key:
    return Key(name, load=_member_of(kind), dump=lambda member: member.value)


def enum_set_key(kind: type[Enum], name: str) -> Key:
    """A set of enum members, stored as a sorted list of their values."""
    member_of = _member_of(kind)
    return Key(
        name,
        load=lambda values: frozenset(member_of(value) for value in values),
        dump=lambda members: sorted(kind(member).value for member in members),
    )


def _member_of(kind: type[Enum]) -> Callable[[Any], Enum]:
    """`kind(value)`, by a look-up in the enum's own map of values first (calling an enum class
    goes through its metaclass: ~10x slower, on every enum of every record read)."""
    by_value = kind._value2member_map_

    def member_of(value: Any) -> Enum:
        try:
            return by_value[value]
        except (KeyError, TypeError):  # an alias, `_missing_`, or the ValueError of a stray value
            return kind(value)

    return member_of


def sub_record(table: "Table[Any]", name: str) -> Key:
    """A sub-record stored as a sub-document (null when there is none)."""
    return Key(
        name,
        load=lambda doc: None if doc is None else table.record(doc),
        dump=lambda record: None if record is None else table.document(record),
    )


def sub_records(table: "Table[Any]", name: str) -> Key:
    """A tuple of sub-records stored as an array of sub-documents (none when it is missing)."""
    return Key(
        name,
        load=lambda docs: tuple(table.record(doc) for doc in docs),
        dump=lambda records: [table.document(record) for record in records],
        missing=(),
    )


def inline_record(table: "Table[Any]") -> Key:
    """A sub-record whose keys live in its parent's document."""
    return Key("", inline=table)


def _is_plain(record_type: type[R]) -> bool:
    """Whether a record can be built with its fields set at once, as `copy` and `pickle` build
    one: a frozen dataclass's `__init__` sets each field through `object.__setattr__` (~15x
    slower, on every record read), and here does nothing else (no `__post_init__`, no slots,
    every field an init field)."""
    params = record_type.__dataclass_params__  # type: ignore[attr-defined]
    return bool(
        params.init
        and "__slots__" not in vars(record_type)
        and not hasattr(record_type, "__post_init__")
        and all(field.init for field in dataclasses.fields(record_type))
    )


class Table(Generic[R]):
    """The document keys of one record type's fields."""

    def __init__(self, record_type: type[R], **keys: str | Key) -> None:
        fields = {field.name: field for field in dataclasses.fields(record_type)}
        if set(keys) != set(fields):
            missing, unknown = sorted(set(fields) - set(keys)), sorted(set(keys) - set(fields))
            raise TypeError(f"{record_type.__name__} table: missing {missing}, unknown {unknown}")
        self.record_type = record_type
        self._keys = {
            field: Key(spec) if isinstance(spec, str) else spec for field, spec in keys.items()
        }
        hints = typing.get_type_hints(record_type)
        self._missing = {
            name: _missing(fields[name], hints[name], self._keys[name]) for name in fields
        }
        # Reading a document is one function made for this table (records are read far more
        # often than written: 80 of them for one group page).
        self.record: Callable[[Mapping[str, Any]], R] = _reader(
            record_type, self._keys, self._missing
        )

    def _reads_as_missing(self, field: str, value: Any) -> bool:
        """Whether leaving the key out reads back as this value. Only nothing (None, no items)
        is left out, never a default, which a later release might change."""
        if value is not None and value != ():
            return False
        is_constant, missing = self._missing[field]
        try:
            return bool((missing if is_constant else missing()) == value)
        except KeyError:  # the key is required
            return False

    def records(self, docs: Iterable[Mapping[str, Any]]) -> list[R]:
        return [self.record(doc) for doc in docs]

    def document(self, record: R, *, sparse: bool = True) -> Document:
        """`record` as stored. Sparse (for inserts): a field that holds what its missing key
        reads as (None, no pins) is left out, so documents hold only what they say. Whole (for
        `$set`): every key, so that an emptied field is written empty."""
        doc: Document = {}
        for field, key in self._keys.items():
            value = getattr(record, field)
            if key.inline is not None:
                doc.update(key.inline.document(value, sparse=sparse))
            elif not (sparse and self._reads_as_missing(field, value)):
                doc[key.name] = key.dump(value)
        return doc

    def to_set(self, changes: Changes[R]) -> Document:
        """The `$set` of a change: each named field's key with its new value as stored."""
        if changes.record_type is not self.record_type:
            raise TypeError(f"{changes.record_type.__name__} changes on a {self.record_type} table")
        to_set: Document = {}
        for field, value in changes.values.items():
            key = self._keys[field]
            if isinstance(value, Changes):
                if key.inline is None:
                    raise TypeError(f"'{field}' is stored whole: give it a new value")
                if not value.is_empty():
                    to_set.update(key.inline.to_set(value))
            elif key.inline is not None:
                to_set.update(key.inline.document(value, sparse=False))
            else:
                to_set[key.name] = key.dump(value)
        if not to_set:
            # A caller with nothing to change must not write (Groups.update reads instead).
            raise ValueError(f"no change of {self.record_type.__name__} to write")
        return to_set


def _reader(
    record_type: type[R],
    keys: Mapping[str, Key],
    missing: Mapping[str, tuple[bool, Any]],
) -> Callable[[Mapping[str, Any]], R]:
    """A function reading a record from its document: each field's key read in one expression
    (its load, what its missing key reads as), the record made of them at once. Its source is
    made of the table's field names and indexes only; keys and functions are passed in."""
    names: dict[str, Any] = {"record_type": record_type, "new": object.__new__}
    entries = []
    for index, (field, key) in enumerate(keys.items()):
        if key.inline is not None:
            names[f"inline_{index}"] = key.inline.record
            entries.append(f"{field!r}: inline_{index}(doc)")
            continue
        names[f"key_{index}"] = key.name
        is_constant, names[f"missing_{index}"] = missing[field]
        otherwise = f"missing_{index}" if is_constant else f"missing_{index}()"
        if key.load is _same and is_constant:
            entries.append(f"{field!r}: doc.get(key_{index}, missing_{index})")
            continue
        if key.load is _same:
            read = f"doc[key_{index}]"
        else:
            names[f"load_{index}"] = key.load
            read = f"load_{index}(doc[key_{index}])"
        entries.append(f"{field!r}: {read} if key_{index} in doc else {otherwise}")
    values = f"{{{', '.join(entries)}}}"
    if _is_plain(record_type):
        body = f"record = new(record_type)\n    record.__dict__.update({values})\n    return record"
    else:
        body = f"return record_type(**{values})"
    source = f"def record(doc):\n    {body}\n"
    exec(compile(source, f"<the {record_type.__name__} table's reader>", "exec"), names)
    reader: Callable[[Mapping[str, Any]], R] = names["record"]
    return reader


def _missing(field: dataclasses.Field[Any], hint: Any, key: Key) -> tuple[bool, Any]:
    """(True, the value) a missing key reads as, or (False, what makes it)."""
    if key.missing is not _REQUIRED:
        return True, key.missing
    if field.default is not dataclasses.MISSING:
        return True, field.default
    if field.default_factory is not dataclasses.MISSING:
        return False, field.default_factory
    if type(None) in typing.get_args(hint) or hint is types.NoneType:
        return True, None

    def required() -> Any:
        raise KeyError(f"a stored document has no '{key.name}' ({field.name} is required)")

    return False, required
