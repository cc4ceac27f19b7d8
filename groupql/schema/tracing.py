"""A span per GraphQL query or mutation, named as OpenTelemetry's GraphQL conventions say
(`query GroupPage`), with the store commands it runs as its children. Subscriptions are not
spans: a feed lives for hours (its events count in /metrics instead)."""

from collections.abc import Iterator
from typing import TYPE_CHECKING

from opentelemetry.trace import SpanKind, Status, StatusCode
from strawberry.extensions import SchemaExtension

from groupql.context import Context

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer


class OperationSpans(SchemaExtension):
    def __init__(self, tracer: "Tracer") -> None:
        super().__init__()
        self._tracer = tracer

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        if isinstance(context.context, Context) and context.context.websocket is not None:
            yield
            return
        with self._tracer.start_as_current_span(
            "GraphQL operation", kind=SpanKind.INTERNAL, record_exception=False
        ) as span:
            yield
            try:
                operation_type = context.operation_type.value
            except RuntimeError:  # the document did not parse, or names no such operation
                operation_type = None
            name = context.operation_name
            if operation_type is not None:
                span.update_name(f"{operation_type} {name}" if name else operation_type)
                span.set_attribute("graphql.operation.type", operation_type)
            if name:
                span.set_attribute("graphql.operation.name", name)
            errors = context.pre_execution_errors or (context.result and context.result.errors)
            if errors:
                codes = [str((error.extensions or {}).get("code", "")) for error in errors]
                span.set_attribute("groupql.error_codes", sorted(set(codes)))
                span.set_status(Status(StatusCode.ERROR, codes[0]))
