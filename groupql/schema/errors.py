"""Turns every error into one a client can act on: a message and an `extensions.code`."""

import logging

from graphql import GraphQLError
from strawberry.schema.exceptions import InvalidOperationTypeError

from groupql.errors import GroupQLError, Internal, RateLimited, Unavailable
from groupql.store.outages import is_outage

logger = logging.getLogger("groupql.errors")

# A message may quote the request (an unknown field's name, a bad value): never more than this.
MAX_MESSAGE_CHARS = 300


def quoted(message: str) -> str:
    """A message cut to a length a client can show, whatever the request made it quote."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"


def client_error(error: GraphQLError) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error if len(error.message) <= MAX_MESSAGE_CHARS else _quoting_less(error)
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        # Parse and validation errors, and variables that do not fit their types (graphql-core
        # wraps its own coercion error): the request itself is wrong.
        return _with_code(error, error.message, "BAD_USER_INPUT")
    if isinstance(original, RateLimited) and original.retry_after_s is not None:
        limited = _with_code(error, original.message, original.code)
        return GraphQLError(
            limited.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": original.code, "retryAfter": original.retry_after_s},
        )
    if isinstance(original, GroupQLError):
        return _with_code(error, original.message, original.code)
    if is_outage(original):
        logger.warning("the database did not answer at %s: %s", error.path, original)
        return _with_code(error, Unavailable().message, Unavailable.code)
    if isinstance(original, InvalidOperationTypeError):
        # The legacy graphql-ws protocol runs subscriptions only.
        message = (
            f"A {original.operation_type.value} cannot run here: send it over HTTP "
            "or graphql-transport-ws."
        )
        return _with_code(error, message, "BAD_USER_INPUT")
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return _with_code(error, Internal().message, Internal.code)


def _with_code(error: GraphQLError, message: str, code: str) -> GraphQLError:
    return GraphQLError(
        quoted(message),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code},
    )


def _quoting_less(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        quoted(error.message),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=error.extensions,
    )
