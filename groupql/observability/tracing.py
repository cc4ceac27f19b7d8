"""OpenTelemetry tracing: off unless an OTLP exporter is configured.

OpenTelemetry's own variables turn it on and shape it: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) names the collector, which gets spans over OTLP/HTTP
(protobuf) in batches; the SDK reads the rest (`OTEL_SERVICE_NAME`, default `groupql`;
`OTEL_EXPORTER_OTLP_HEADERS`; `OTEL_TRACES_SAMPLER`; `OTEL_BSP_*`). The spans: one per HTTP
request (W3C `traceparent` continues a caller's trace), one per GraphQL query or mutation
(groupql.schema.tracing) and one per store command, named by command and collection only.
No span holds a token, a variable, an argument or a document's contents.

The packages come with the `tracing` extra (`pip install 'groupql[tracing]'`; the Docker image
has them). Without them, a configured endpoint is reported and tracing stays off.
"""

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pymongo import monitoring

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer
    from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
DEFAULT_SERVICE_NAME = "groupql"
_QUERY = "groupql.query_string"  # the request's query string, kept from the span


@dataclass(frozen=True)
class Tracing:
    """One app's tracer provider (its own: tests run many apps in a process), exporting to the
    configured collector."""

    provider: "TracerProvider"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Tracing | None":
        endpoint = next((environ[name] for name in ENDPOINT_VARIABLES if environ.get(name)), None)
        if endpoint is None:
            return None
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import OTELResourceDetector, Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
        except ImportError:
            logger.warning(
                "%s is set, but OpenTelemetry is not installed: tracing is off "
                "(pip install 'groupql[tracing]')",
                next(name for name in ENDPOINT_VARIABLES if environ.get(name)),
            )
            return None
        resource = Resource.create({"service.name": DEFAULT_SERVICE_NAME}).merge(
            OTELResourceDetector().detect()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
        )
        provider = TracerProvider(resource=resource)
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        logger.info("tracing: spans go to %s over OTLP/HTTP", endpoint)
        return cls(provider)

    @property
    def tracer(self) -> "Tracer":
        return self.provider.get_tracer("groupql")

    def store_listener(self) -> monitoring.CommandListener:
        """A span per store command, as OpenTelemetry's PyMongo instrumentation makes them
        (command and collection; never the command's documents)."""
        from opentelemetry.instrumentation.pymongo import CommandTracer

        return CommandTracer(self.provider.get_tracer("groupql.store"), capture_statement=False)

    def around_http(self, app: "ASGIApp") -> "ASGIApp":
        """`app` with a server span per HTTP request and WebSocket, continuing `traceparent`.
        The span's URL has no query string: a GET's variables and a media URL's signature stay
        out of it."""
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        async def with_query(scope: "Scope", receive: "Receive", send: "Send") -> None:
            await app({**scope, "query_string": scope[_QUERY]}, receive, send)

        traced = OpenTelemetryMiddleware(
            with_query, tracer_provider=self.provider, exclude_spans=["receive", "send"]
        )

        async def without_query(scope: "Scope", receive: "Receive", send: "Send") -> None:
            if scope["type"] not in ("http", "websocket"):
                await app(scope, receive, send)
                return
            query = scope.get("query_string", b"")
            await traced({**scope, "query_string": b"", _QUERY: query}, receive, send)

        return without_query

    def close(self) -> None:
        """Send what is still buffered, then stop."""
        self.provider.shutdown()
