"""The GraphQL schema: strawberry types, inputs, enums and the Schema object."""

from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from groupql.schema.errors import client_error
from groupql.schema.root import Mutation, Query, Subscription
from groupql.schema.scalars import DATE_TIME

MAX_QUERY_DEPTH = 12
# Distinct query texts are few (clients send the same operations), so a small cache holds them all.
QUERY_CACHE_SIZE = 256


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry passes every error list of every path (parse, validation, execution) through
        # here, and the client gets the same list: so this one place gives each error its code.
        errors[:] = [client_error(error) for error in errors]


# The validation cache is keyed by the rule classes, and QueryDepthLimiter makes a new class each
# time it is built: one shared set of rules lets the cache hit (measured: 1.4x on a feed page).
_DEPTH_RULES = QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules


def build_schema() -> Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={datetime: DATE_TIME},
        extensions=[
            lambda: AddValidationRules(_DEPTH_RULES),
            lambda: ParserCache(maxsize=QUERY_CACHE_SIZE),
            lambda: ValidationCache(maxsize=QUERY_CACHE_SIZE),
        ],
    )


schema = build_schema()
