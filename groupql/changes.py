"""Changes of records: which fields an update sets, typed and checked, never document keys."""

import dataclasses
import types
import typing
from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance as Record
else:
    Record = object

__all__ = ["UNCHANGED", "Changes", "Record", "Unchanged"]

R = TypeVar("R", bound=Record)


class Unchanged(Enum):
    """An argument left out: the field keeps its value (None is a value: it clears the field)."""

    UNCHANGED = "UNCHANGED"


UNCHANGED = Unchanged.UNCHANGED


class Changes(Generic[R]):
    """New values for some fields of a record; the fields not named keep theirs, so concurrent
    changes of other fields survive. A sub-record stored in its parent's document (a group's
    settings) takes the Changes of its own record; None is a value, the field's cleared state.

    Names and values are checked against the record's fields when made: a misspelt field or a
    value of the wrong type fails here, where it was written, not in the store.
    """

    def __init__(self, record_type: type[R], **values: Any) -> None:
        hints = _hints(record_type)
        for name, value in values.items():
            if name not in hints:
                raise TypeError(f"{record_type.__name__} has no field '{name}'")
            if not _fits(value, hints[name]):
                raise TypeError(f"{record_type.__name__}.{name} takes {hints[name]}, not {value!r}")
        self.record_type = record_type
        self.values: Mapping[str, Any] = MappingProxyType(values)

    @classmethod
    def given(cls, record_type: type[R], source: object) -> "Changes[R]":
        """The changes an update's input gives: its attributes named like the record's fields
        that are not None (a list becomes the field's collection type)."""
        values = {}
        for name, hint in _hints(record_type).items():
            value = getattr(source, name, None)
            if value is None:
                continue
            collection = typing.get_origin(hint)
            if isinstance(value, list) and collection in (frozenset, tuple):
                value = collection(value)
            values[name] = value
        return cls(record_type, **values)

    def get(self, field: str) -> Any:
        return self.values.get(field)

    def is_empty(self) -> bool:
        return all(
            isinstance(value, Changes) and value.is_empty() for value in self.values.values()
        )

    def __repr__(self) -> str:
        return f"Changes({self.record_type.__name__}, {dict(self.values)!r})"


def _hints(record_type: type[Record]) -> dict[str, Any]:
    names = {field.name for field in dataclasses.fields(record_type)}
    return {
        name: hint for name, hint in typing.get_type_hints(record_type).items() if name in names
    }


def _fits(value: Any, hint: Any) -> bool:
    """Whether a value may stand in a field of this type (collections by their kind only)."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if hint is None or hint is types.NoneType:
        return value is None
    if isinstance(value, Changes):
        return value.record_type is hint
    return isinstance(value, origin or hint)
