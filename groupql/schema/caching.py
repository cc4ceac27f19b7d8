"""Tells the response cache which operations were queries: only their answers may be kept."""

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from groupql.context import Context


class QueriesNoted(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if isinstance(context.context, Context):
            context.context.ran_query = context.operation_type is OperationType.QUERY
        yield
