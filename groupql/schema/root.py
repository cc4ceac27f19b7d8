"""The schema: Query, Mutation and Subscription composed from each domain's root fields.

A new capability is a new module with its own `...Query` / `...Mutation` class, added here.
"""

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

from groupql.schema.auth import AuthMutation, AuthQuery
from groupql.schema.errors import client_error
from groupql.schema.groups import GroupMutation, GroupQuery
from groupql.schema.invites import InviteMutation
from groupql.schema.items import ItemMutation
from groupql.schema.live import LiveSubscription
from groupql.schema.moderation import ModerationMutation
from groupql.schema.pins import PinMutation
from groupql.schema.polls import PollMutation
from groupql.schema.questions import QuestionMutation
from groupql.schema.scalars import DATE_TIME
from groupql.schema.sharing import SharingMutation

MAX_QUERY_DEPTH = 12
# Distinct query texts are few (clients send the same operations), so a small cache holds them all.
QUERY_CACHE_SIZE = 256


def compose(name: str, *domains: type) -> type:
    """One root type with the fields of each domain's root type, in the order given."""
    return strawberry.type(type(name, domains, {}))


Query = compose("Query", AuthQuery, GroupQuery)
Mutation = compose(
    "Mutation",
    AuthMutation,
    SharingMutation,
    ItemMutation,
    PinMutation,
    PollMutation,
    QuestionMutation,
    GroupMutation,
    ModerationMutation,
    InviteMutation,
)
Subscription = compose("Subscription", LiveSubscription)


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
