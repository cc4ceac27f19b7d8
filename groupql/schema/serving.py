"""GraphQL types served straight from domain records, and inputs that build them: one shape per
concept, never a copy.

Strawberry resolves a field by reading the attribute of its Python name on whatever object the
parent returned. So each type here declares the record it serves: its plain fields are that
record's attributes (checked when the type is declared), and its computed fields are resolvers
that take the record as `strawberry.Parent`. Resolvers return records, typed as the GraphQL type
through `serve`, the one place where a record stands for its type.
"""

import dataclasses
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_SERVED: dict[type, type] = {}  # GraphQL type -> the record type it serves


def serves(record_type: type) -> Callable[[type[T]], type[T]]:
    """Declare the record a GraphQL type serves; its plain fields must be the record's."""

    def declare(graphql_type: type[T]) -> type[T]:
        definition = getattr(graphql_type, "__strawberry_definition__", None)
        if definition is None:
            raise TypeError(f"put @serves above @strawberry.type on {graphql_type.__name__}")
        attributes = {one.name for one in dataclasses.fields(record_type)} | {
            name for name, value in vars(record_type).items() if isinstance(value, property)
        }
        plain = [field.python_name for field in definition.fields if field.base_resolver is None]
        missing = [name for name in plain if name not in attributes]
        if missing:
            raise TypeError(
                f"{graphql_type.__name__} serves {record_type.__name__}, which has no {missing}: "
                "give those fields a resolver"
            )
        _SERVED[graphql_type] = record_type
        return graphql_type

    return declare


def serve(graphql_type: type[T], record: object) -> T:
    """A record, as the GraphQL type that serves it."""
    if not isinstance(record, _SERVED[graphql_type]):
        raise TypeError(f"{graphql_type.__name__} serves {_SERVED[graphql_type].__name__}")
    return record  # type: ignore[return-value]  # (typing.cast: a call per record served)


def serve_all(graphql_type: type[T], records: Iterable[object]) -> list[T]:
    return [serve(graphql_type, record) for record in records]


def builds(record_type: type) -> Callable[[type[T]], type[T]]:
    """Declare the record an input type builds: its fields are the record's (by Python name),
    and it names every field the record needs."""

    def declare(input_type: type[T]) -> type[T]:
        record_fields = dataclasses.fields(record_type)
        given = {field.name for field in dataclasses.fields(input_type)}  # type: ignore[arg-type]
        unknown = given - {field.name for field in record_fields}
        needed = {
            field.name
            for field in record_fields
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        }
        if unknown or needed - given:
            raise TypeError(
                f"{input_type.__name__} builds {record_type.__name__}: unknown {sorted(unknown)}, "
                f"missing {sorted(needed - given)}"
            )
        return input_type

    return declare


def build(record_type: type[R], source: object) -> R:
    """The record an input (declared with `builds`) describes."""
    names = {field.name for field in dataclasses.fields(record_type)}  # type: ignore[arg-type]
    given = {field.name for field in dataclasses.fields(source)}  # type: ignore[arg-type]
    return record_type(**{name: getattr(source, name) for name in names & given})
