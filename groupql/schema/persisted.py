"""Persisted documents: Apollo's automatic persisted queries, and trusted documents (only the
operations of a manifest run).

A client names a document by its SHA-256 in `extensions.persistedQuery` (Apollo's protocol:
`{"version": 1, "sha256Hash": "<hex>"}`); without `query`, the document stored under that hash
runs, or the answer is PERSISTED_QUERY_NOT_FOUND and the client sends the query with its hash,
which stores it. The store is this instance's own, bounded and least-recently-used first out.
With a manifest (GROUPQL_TRUSTED_DOCUMENTS) nothing is stored: a request runs only when the
document it names or sends is listed.
"""

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    parse,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.http.base import BaseRequestProtocol, BaseView

from groupql.config import Settings
from groupql.documents import read_manifest, sha256_of
from groupql.errors import BadUserInput, PersistedQueryNotFound, UntrustedDocument
from groupql.schema.limits import LIMITS, _paged_fields, violations

# A mini-program has tens of operations: a thousand documents hold every client version in use,
# and the character budget bounds the memory a client sending many large documents can take.
MAX_STORED_DOCUMENTS = 1_000
MAX_STORED_CHARS = 2_000_000
INTROSPECTION_FIELDS = frozenset({"__schema", "__type", "__typename"})


class PersistedDocuments:
    """The documents one app finds by hash, and which documents it runs."""

    def __init__(
        self,
        trusted: Mapping[str, str] | None = None,
        *,
        is_introspection_open: bool = True,
        max_documents: int = MAX_STORED_DOCUMENTS,
        max_chars: int = MAX_STORED_CHARS,
    ) -> None:
        self.trusted = trusted
        self.is_introspection_open = is_introspection_open
        self.max_documents = max_documents
        self.max_chars = max_chars
        self._stored: OrderedDict[str, str] = OrderedDict()
        self._stored_chars = 0

    @classmethod
    def of(cls, settings: Settings) -> "PersistedDocuments":
        if settings.trusted_documents is None:
            return cls()
        # GraphiQL needs introspection; a production client (live mode) runs its manifest only.
        manifest = read_manifest(settings.trusted_documents)
        return cls(manifest, is_introspection_open=settings.is_dev)

    def find(self, sha256: str) -> str | None:
        if self.trusted is not None:
            return self.trusted.get(sha256)
        document = self._stored.get(sha256)
        if document is not None:
            self._stored.move_to_end(sha256)
        return document

    def store(self, sha256: str, document: str) -> None:
        """Keep a document that validated under its hash (only when no manifest decides)."""
        if self.trusted is not None or sha256 in self._stored:
            return
        if len(document) > LIMITS.max_query_chars:
            return
        self._stored[sha256] = document
        self._stored_chars += len(document)
        while len(self._stored) > self.max_documents or self._stored_chars > self.max_chars:
            _, forgotten = self._stored.popitem(last=False)
            self._stored_chars -= len(forgotten)

    def runs(self, query: str, document: DocumentNode) -> bool:
        """Whether this app runs the document: any, unless a manifest lists those that run."""
        if self.trusted is None or sha256_of(query) in self.trusted:
            return True
        return self.is_introspection_open and _asks_only_introspection(document)


class PersistedQueries(SchemaExtension):
    """Finds the document a request names by hash, stores one sent with its hash, and refuses a
    document the app does not run (after DocumentLimits, before the caches)."""

    def __init__(self, documents: PersistedDocuments) -> None:
        super().__init__()
        self.documents = documents
        self._sent_with_hash: str | None = None

    def on_operation(self) -> Iterator[None]:
        # The only hook before strawberry refuses a request without a query. Raising here is
        # answered as a GraphQL error over HTTP; a socket's operations carry no extensions
        # (strawberry's handlers do not pass them on), so nothing is raised for them.
        context = self.execution_context
        sha256 = _requested_sha256(context.operation_extensions)
        if sha256 is not None:
            if not context.query:
                context.query = self.documents.find(sha256)
                if context.query is None:
                    raise PersistedQueryNotFound
            elif sha256_of(context.query) != sha256:
                raise BadUserInput("provided sha does not match query")
            else:
                self._sent_with_hash = sha256
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query, document = context.query, context.graphql_document
        if query is not None and document is not None and not self.documents.runs(query, document):
            # A refusal that validation reports (like DocumentLimits'): it ends the operation the
            # same way on HTTP and on a socket.
            context.validation_rules = (_Untrusted,)
        yield
        if self._sent_with_hash is not None and query and not context.pre_execution_errors:
            self.documents.store(self._sent_with_hash, query)


class PersistedQueriesView(BaseView[Any]):
    """For the app's view: a GET that names a persisted query (`extensions`, no `query`) runs it;
    strawberry would open GraphiQL for a GET without `query` that accepts */*."""

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )


def problems_of(query: str, schema: GraphQLSchema) -> list[str]:
    """Why the server would refuse `query` whatever its variables (empty when it would not): its
    syntax, the schema's rules and the document limits."""
    if len(query) > LIMITS.max_query_chars:
        return [f"The query is longer than {LIMITS.max_query_chars} characters."]
    try:
        document = parse(query, max_tokens=LIMITS.max_tokens)
    except GraphQLError as error:
        return [_located(error)]
    return violations(document, _paged_fields(schema)) or [
        _located(error) for error in validate(schema, document)
    ]


def _located(error: GraphQLError) -> str:
    where = error.locations[0] if error.locations else None
    return f"{error.message} (line {where.line}, column {where.column})" if where else error.message


def _requested_sha256(extensions: Mapping[str, Any] | None) -> str | None:
    """The hash of `extensions.persistedQuery`, or None when the request names none."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise BadUserInput(
            'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex>"} '
            "(only version 1 is supported)."
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or len(sha256) != 64 or not _is_hex(sha256):
        raise BadUserInput(
            "extensions.persistedQuery.sha256Hash must be the 64 hex digits of the query's SHA-256."
        )
    return sha256.lower()


def _is_hex(text: str) -> bool:
    return all(character in "0123456789abcdefABCDEF" for character in text)


def _asks_only_introspection(document: DocumentNode) -> bool:
    """Whether every root field of every operation, fragments expanded, is introspection."""
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    stack: list[SelectionSetNode] = [
        node.selection_set
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode)
    ]
    expanded: set[str] = set()
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                if selection.name.value not in INTROSPECTION_FIELDS:
                    return False
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in expanded:
                    expanded.add(name)
                    stack.append(fragments[name].selection_set)
    return True


class _Untrusted(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        refusal = UntrustedDocument()
        context.report_error(GraphQLError(refusal.message, original_error=refusal))
