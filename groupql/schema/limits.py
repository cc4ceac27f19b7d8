"""Limits on a GraphQL document, checked before validation does work that grows with its size.

Parsing stops at a token limit (graphql-core's parser counts tokens as it reads). The parsed
document is then measured in one iterative walk that expands fragments — no recursion, so a chain
of thousands of fragments cannot overflow the stack — and stops as soon as a limit is passed, so
its own work is bounded too. A document over a limit is refused with every limit it passed named,
and validation's expensive rules (field merging is quadratic in the selections) never see it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

from groupql.services.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


@dataclass(frozen=True)
class Limits:
    # A client's documents are a few hundred tokens; graphql-core parses about 15 µs a token.
    max_query_chars: int = 20_000
    max_tokens: int = 1_000
    max_depth: int = 12
    max_aliases: int = 30
    max_root_fields: int = 20
    max_fields: int = 500
    max_fragments: int = 50
    # The most items the pages of a query can hold (GitHub's node limit): each paged field
    # counts its page size (`first`; the default page when it is not given; the largest page when
    # it is a variable) times those of the pages above it. 20 items with 100 replies each: 2,020.
    max_cost: int = 10_000


LIMITS = Limits()


def violations(document: DocumentNode, paged_fields: frozenset[str]) -> list[str]:
    """What the document passes of LIMITS, as messages that name each limit."""
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    found: list[str] = []
    if len(fragments) > LIMITS.max_fragments:
        found.append(f"The document has more than {LIMITS.max_fragments} fragments.")
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            found += _measure(operation.selection_set, fragments, paged_fields)
    return list(dict.fromkeys(found))


def _measure(
    root: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    paged_fields: frozenset[str],
) -> list[str]:
    aliases = root_fields = cost = 0
    for fields, (field, depth, items) in enumerate(_fields(root, fragments, paged_fields), 1):
        aliases += field.alias is not None
        root_fields += depth == 0
        cost += items
        if depth > LIMITS.max_depth:
            return [f"The query exceeds maximum operation depth of {LIMITS.max_depth}."]
        if fields > LIMITS.max_fields:
            return [f"The query selects more than {LIMITS.max_fields} fields."]
        if aliases > LIMITS.max_aliases:
            return [f"The query has more than {LIMITS.max_aliases} aliases."]
        if root_fields > LIMITS.max_root_fields:
            return [f"The operation has more than {LIMITS.max_root_fields} root fields."]
        if cost > LIMITS.max_cost:
            return [
                f"The query's pages hold more than {LIMITS.max_cost} items (each page's `first` "
                "times those of the pages above it): ask for smaller or fewer nested pages."
            ]
    return []


INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


def _fields(
    root: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    paged_fields: frozenset[str],
) -> Iterator[tuple[FieldNode, int, int]]:
    """Every field the operation selects, fragments expanded, with its depth and the items its
    page can hold (0 for a field that is not paged).

    Below `__schema` and `__type` depth stops growing: an introspection answer is as large as
    the schema, whatever its depth, and validation's MaxIntrospectionDepthRule bounds its
    cycles. (GraphiQL's own introspection query nests `ofType` nine levels deep.)"""
    Entry = tuple[SelectionSetNode, int, int, frozenset[str], bool]
    stack: list[Entry] = [(root, 0, 1, frozenset(), False)]
    while stack:
        selection_set, depth, pages, spread, introspecting = stack.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                is_paged = selection.name.value in paged_fields
                inner = pages * _page(selection) if is_paged else pages
                yield selection, depth, inner if is_paged else 0
                if selection.selection_set is not None:
                    below = introspecting or selection.name.value in INTROSPECTION_ROOTS
                    deeper = depth if introspecting else depth + 1
                    stack.append((selection.selection_set, deeper, inner, spread, below))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, depth, pages, spread, introspecting))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                # A cycle is refused by validation's own rule; here it ends the expansion.
                if name in fragments and name not in spread:
                    fragment = fragments[name].selection_set
                    stack.append((fragment, depth, pages, spread | {name}, introspecting))


def _page(field: FieldNode) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            value = argument.value
            return int(value.value) if isinstance(value, IntValueNode) else MAX_PAGE_SIZE
    return DEFAULT_PAGE_SIZE


class DocumentLimits(SchemaExtension):
    """Refuses a document over LIMITS in place of validating it (before ValidatedOnce runs)."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = LIMITS.max_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        # Before parsing starts (this extension comes before ParserCache): even the error of a
        # parser that stops at the token limit scans the whole text for its line and column.
        query = self.execution_context.query
        if query is not None and len(query) > LIMITS.max_query_chars:
            raise GraphQLError(f"The query is longer than {LIMITS.max_query_chars} characters.")
        yield

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None:
            found = _violations_of(document, _paged_fields(self.execution_context.schema._schema))
            if found:
                self.execution_context.validation_rules = (_refusal(tuple(found)),)
        yield


# What each document parsed by the parser cache (one object per distinct text) passes of
# LIMITS, measured once: by the document's identity, the document kept with it so that the id
# is never another's.
_MEASURED: dict[tuple[int, frozenset[str]], tuple[DocumentNode, list[str]]] = {}
_MEASURED_KEPT = 1024


def _violations_of(document: DocumentNode, paged: frozenset[str]) -> list[str]:
    key = (id(document), paged)
    kept = _MEASURED.get(key)
    if kept is not None and kept[0] is document:
        return kept[1]
    found = violations(document, paged)
    if len(_MEASURED) >= _MEASURED_KEPT:
        _MEASURED.clear()
    _MEASURED[key] = (document, found)
    return found


@lru_cache(maxsize=64)
def _refusal(messages: tuple[str, ...]) -> type[ValidationRule]:
    """A validation rule that reports these messages (one class per set, so validation caches)."""

    class Refusal(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for message in messages:
                context.report_error(GraphQLError(message))

    return Refusal


@lru_cache(maxsize=4)
def _paged_fields(schema: GraphQLSchema) -> frozenset[str]:
    """The names of the fields that take a page size (`first`): their items multiply cost."""
    return frozenset(
        name
        for graphql_type in schema.type_map.values()
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType)
        for name, field in graphql_type.fields.items()
        if "first" in field.args
    )
