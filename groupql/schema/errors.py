"""Turns every error into one a client can act on: a message and an `extensions.code`."""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from groupql.errors import GroupQLError, Internal

logger = logging.getLogger("groupql.errors")


def client_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        # Parse and validation errors: the query itself is wrong.
        return _with_code(error, error.message, "BAD_USER_INPUT")
    if isinstance(original, GroupQLError):
        return _with_code(error, original.message, original.code)
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return _with_code(error, Internal().message, Internal.code)


def _with_code(error: GraphQLError, message: str, code: str) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code},
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [client_error(error) for error in errors]  # type: ignore[union-attr]
