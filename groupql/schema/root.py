"""The schema: Query, Mutation and Subscription composed from each domain's root fields.

A new capability is a new module with its own `...Query` / `...Mutation` class, added here.
"""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.types import ExecutionContext

from groupql.config import Settings
from groupql.context import Context
from groupql.observability.metrics import Metrics
from groupql.refusals import log_refusal
from groupql.schema.auth import AuthMutation, AuthQuery
from groupql.schema.caching import QueriesNoted
from groupql.schema.errors import client_error
from groupql.schema.extension_stages import InOrder
from groupql.schema.groups import GroupMutation, GroupQuery
from groupql.schema.invites import InviteMutation
from groupql.schema.items import ItemMutation
from groupql.schema.limits import DocumentLimits
from groupql.schema.live import LiveSubscription
from groupql.schema.members import MemberMutation
from groupql.schema.moderation import ModerationMutation
from groupql.schema.persisted import PersistedDocuments, PersistedQueries
from groupql.schema.pins import PinMutation
from groupql.schema.planned import planned_executor
from groupql.schema.polls import PollMutation
from groupql.schema.questions import QuestionMutation
from groupql.schema.rankings import RankingMutation
from groupql.schema.review import ReviewMutation
from groupql.schema.scalars import DATE_TIME
from groupql.schema.sharing import SharingMutation
from groupql.schema.subscriptions import SubscriptionMutation, SubscriptionQuery
from groupql.schema.throttling import count_mutations
from groupql.schema.unread import UnreadMutation
from groupql.schema.uploads import UploadMutation
from groupql.schema.validated import ValidatedOnce
from groupql.schema.viewer import ViewerMutation

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

# Distinct query texts are few (clients send the same operations), so a small cache holds them all.
QUERY_CACHE_SIZE = 256


def compose(name: str, *domains: type) -> type:
    """One root type with the fields of each domain's root type, in the order given."""
    return strawberry.type(type(name, domains, {}))


Query = compose("Query", AuthQuery, GroupQuery, SubscriptionQuery)
Mutation = compose(
    "Mutation",
    AuthMutation,
    ViewerMutation,
    SharingMutation,
    ItemMutation,
    UnreadMutation,
    PinMutation,
    PollMutation,
    QuestionMutation,
    GroupMutation,
    ModerationMutation,
    ReviewMutation,
    MemberMutation,
    InviteMutation,
    SubscriptionMutation,
    UploadMutation,
    RankingMutation,
)
Subscription = compose("Subscription", LiveSubscription)
count_mutations(Mutation, per_client_address=frozenset({"login"}))


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry passes every error list of every path (parse, validation, execution) through
        # here, and the client gets the same list: so this one place gives each error its code,
        # and logs each refusal once.
        errors[:] = [client_error(error) for error in errors]
        context = execution_context.context if execution_context else None
        client = context.client_address if isinstance(context, Context) else "unknown"
        user_id = context.known_user_id() if isinstance(context, Context) else None
        for error in errors:
            code = (error.extensions or {}).get("code", "")
            log_refusal(str(code), error.message, client=client, user_id=user_id)


def build_schema(
    documents: PersistedDocuments | None = None,
    tracer: "Tracer | None" = None,
    *,
    plans: Callable[[str], None] | None = None,
) -> Schema:
    """The schema; `plans`, when given, runs queries by their plans and is told how each ran
    (planned, fell_back, unplanned)."""
    documents = documents or PersistedDocuments()
    traced: list[Callable[[], SchemaExtension]] = []
    if tracer is not None:
        from groupql.schema.tracing import OperationSpans  # OpenTelemetry: the tracing extra

        # First, so that its span holds the whole operation, refusals included.
        traced.append(lambda: OperationSpans(tracer))
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={datetime: DATE_TIME},
        execution_context_class=None if plans is None else planned_executor(plans),
        extensions=[
            *traced,
            # One extension of five (extension_stages.py: strawberry's cost is per extension).
            lambda: InOrder(
                DocumentLimits(),
                # After DocumentLimits, which bounds the document a hash names like any other.
                PersistedQueries(documents),
                ParserCache(maxsize=QUERY_CACHE_SIZE),
                # After DocumentLimits: a document over a limit is refused instead of validated.
                ValidatedOnce(maxsize=QUERY_CACHE_SIZE),
                QueriesNoted(),
            ),
        ],
    )


def schema_for(settings: Settings, tracer: "Tracer | None", metrics: Metrics) -> Schema:
    """The schema of one app: its own store of persisted queries, its trusted documents, its
    spans when tracing is on, and its execution plans unless they are off."""
    plans = None
    if settings.execution_plans == "on":
        plans = metrics.execution_plan
    return build_schema(
        PersistedDocuments.of(settings),
        tracer,
        plans=None if plans is None else lambda result: plans(result).inc(),
    )


schema = build_schema(plans=lambda _result: None)
