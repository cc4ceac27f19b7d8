"""GraphQL over HTTP's two response media types, and the status a result is answered with.

A client that accepts `application/graphql-response+json` (the GraphQL-over-HTTP spec's own type)
is answered in it, and then a request error (a document that does not parse or validate,
variables that do not coerce: nothing was executed) comes with 400, as the spec asks. Other
clients get `application/json` and 200 for every GraphQL result, as they always did: a legacy
client must never read a 4xx as "the server is down". Either way a request error has no `data`
entry (GraphQL's own rule: `data` is absent when execution never began).
"""

from collections.abc import Sequence

from graphql import GraphQLError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
# Apollo's automatic persisted queries: clients retry with the query when they see it, and
# Apollo Client disables persisted queries for good on a 400, so it is answered with 200.
ANSWERED_WITH_200 = frozenset({"PERSISTED_QUERY_NOT_FOUND"})


def wants_graphql_response_json(accept: str | None) -> bool:
    """Whether the client prefers `application/graphql-response+json` to `application/json`.

    Without an Accept header, or when both are equally welcome (`*/*`), the answer follows the
    spec's transition rule: `application/json` stays the default until the client names the new
    type at least as high."""
    if not accept:
        return False
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, _, parameters = part.strip().partition(";")
        weights.setdefault(media.strip().lower(), _quality(parameters))
    new = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    old = max(weights.get(JSON, 0.0), weights.get("application/*", 0.0), weights.get("*/*", 0.0))
    return new > 0 and new >= old


def is_request_error(data: object, errors: Sequence[GraphQLError] | None) -> bool:
    """A result that never reached execution: no data, and no error at a field's path."""
    return data is None and bool(errors) and all(error.path is None for error in errors or ())


def request_error_status(codes: Sequence[str | None]) -> int:
    """The status of a request error answered in `application/graphql-response+json`."""
    return 200 if any(code in ANSWERED_WITH_200 for code in codes) else 400


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0
