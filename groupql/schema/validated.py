"""Validation kept per parsed document, by its identity.

strawberry's ValidationCache keys an LRU cache by the document itself, and a graphql-core
document is a frozen dataclass: every request hashed the whole tree again (~1 % of a page's
CPU). The parser cache hands out the same document object for the same text, so its identity
is the key here, and each entry holds its document alive so that the identity stays its own.
"""

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, NamedTuple

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Key = tuple[int, int, tuple[Any, ...]]


class CacheInfo(NamedTuple):
    hits: int
    misses: int


class Validations:
    """The errors of each (schema, document, rules) validated, the last `maxsize` of them."""

    def __init__(self) -> None:
        self.kept: OrderedDict[Key, tuple[GraphQLSchema, DocumentNode, list[GraphQLError]]]
        self.kept = OrderedDict()
        self.hits = self.misses = 0

    def errors(
        self, schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...], maxsize: int
    ) -> list[GraphQLError]:
        key = (id(schema), id(document), rules)
        kept = self.kept.get(key)
        if kept is not None:
            self.hits += 1
            self.kept.move_to_end(key)
            return kept[2]
        self.misses += 1
        errors = validate_document(schema, document, rules)
        self.kept[key] = (schema, document, errors)
        while len(self.kept) > maxsize:
            self.kept.popitem(last=False)
        return errors

    def cache_info(self) -> CacheInfo:
        return CacheInfo(self.hits, self.misses)


VALIDATIONS = Validations()


class ValidatedOnce(SchemaExtension):
    """Validates each parsed document once per schema and rule set; keeps `maxsize` of them."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None  # strawberry validates what it parsed
        errors = VALIDATIONS.errors(
            context.schema._schema,
            context.graphql_document,
            tuple(context.validation_rules),
            self.maxsize,
        )
        # A copy: Schema.process_errors edits the list in place.
        context.pre_execution_errors = list(errors)
        yield
