"""An OpenTelemetry collector's OTLP/HTTP traces endpoint on loopback: it decodes what an
exporter sends (protobuf, as the SDK's exporter sends it) and keeps the spans."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.threaded_server import served_in_thread


@dataclass(frozen=True)
class Span:
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    service: str
    attributes: dict[str, object]
    is_error: bool


@dataclass
class Collector:
    url: str = ""
    spans: list[Span] = field(default_factory=list)

    async def traces(self, request: Request) -> Response:
        export = ExportTraceServiceRequest.FromString(await request.body())
        for resource_spans in export.resource_spans:
            resource = {kv.key: _value(kv.value) for kv in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.spans.append(
                        Span(
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_id=span.parent_span_id.hex(),
                            service=str(resource.get("service.name")),
                            attributes={kv.key: _value(kv.value) for kv in span.attributes},
                            is_error=span.status.code == 2,  # STATUS_CODE_ERROR
                        )
                    )
        body = ExportTraceServiceResponse().SerializeToString()
        return Response(body, media_type="application/x-protobuf")

    def named(self, name: str) -> list[Span]:
        return [span for span in self.spans if span.name == name]


def _value(value: object) -> object:
    kind = value.WhichOneof("value")  # type: ignore[attr-defined]
    if kind == "array_value":
        return [_value(one) for one in value.array_value.values]  # type: ignore[attr-defined]
    return getattr(value, kind) if kind else None


@contextmanager
def running_collector() -> Iterator[Collector]:
    collector = Collector()
    app = Starlette(routes=[Route("/v1/traces", collector.traces, methods=["POST"])])
    with served_in_thread(app, "otlp-collector") as base_url:
        collector.url = base_url
        yield collector
