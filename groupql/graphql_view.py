"""The GraphQL endpoint: strawberry's ASGI view with groupql's context, limits and refusals, and
GraphQL over HTTP's response media types (groupql.response_media)."""

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from groupql import graphiql, wiring
from groupql.config import Settings
from groupql.context import Context
from groupql.errors import RateLimited
from groupql.json_input import BadJSON, checked_json
from groupql.kept_answers import KeptAnswersView
from groupql.observability.metrics import Metrics
from groupql.observability.operations import Operation, named
from groupql.pings import Pings
from groupql.refusals import log_refusal
from groupql.response_media import (
    GRAPHQL_RESPONSE_JSON,
    is_request_error,
    request_error_status,
    wants_graphql_response_json,
)
from groupql.schema.errors import quoted
from groupql.schema.persisted import PersistedQueriesView
from groupql.schema.root import schema_for
from groupql.websocket import LegacyWSHandler, TransportWSHandler

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer


class _RequestTooLarge(Exception):
    pass


class _OrjsonAnswers:
    """Answers and socket messages encoded by orjson (a group page: ~8x faster than json.dumps),
    in UTF-8 rather than with \\u escapes; as text, since WebSocket messages must be text."""

    def encode_json(self, data: object) -> str | bytes:  # strawberry's signature; always a str
        return orjson.dumps(data).decode()


class GroupQLGraphQL(KeptAnswersView, PersistedQueriesView, _OrjsonAnswers, GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, settings: Settings, metrics: Metrics, tracer: "Tracer | None") -> None:
        self.metrics = metrics
        self._public_url = settings.public_url.rstrip("/")
        super().__init__(
            schema_for(settings, tracer, metrics),
            graphql_ide="graphiql",
            # keep_alive sends the legacy protocol's "ka"; TransportWSHandler pings at the same
            # interval.
            keep_alive=True,
            keep_alive_interval=settings.ws_ping_interval_s,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_s),
        )
        self.max_request_bytes = settings.max_request_bytes
        # Every graphql-transport-ws socket's pings, on one timer (groupql.pings).
        self.pings = Pings(settings.ws_ping_interval_s)
        self._graphiql_html = graphiql.page_html(settings.graphiql_cdn)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._graphiql_html)

    def parse_json(self, data: str | bytes) -> Any:
        """A request body or GET `variables`: an object within the limits, or a 400."""
        try:
            return checked_json(data)
        except BadJSON as bad:
            raise HTTPException(400, str(bad)) from None

    def decode_json(self, data: str | bytes) -> object:
        """A WebSocket frame: the protocol handler closes the socket (4400) on a decode error."""
        try:
            return checked_json(data)
        except BadJSON as bad:
            raise json.JSONDecodeError(str(bad), "", 0) from None

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        running: wiring.Running = request.app.state.running
        context = Context(
            services=running.services,
            authorization=request.headers.get("authorization"),
            websocket=request if isinstance(request, WebSocket) else None,
            client_address=_client_address(request),
            throttle=running.throttle,
            rate_limits=running.rate_limits,
            public_url=self._public_url or _base_url(request),
        )
        if (operation := _operation_of(request)) is not None:
            operation.known_user = context.known_user_id
        return context

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        if (operation := _operation_of(request)) is not None:
            operation.named = named(request_data.query, request_data.operation_name)
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if (operation := _operation_of(request)) is not None:
            operation.failed_with_errors(result.errors or [])
        if is_request_error(result.data, result.errors):
            # Nothing was executed: GraphQL's rule is that `data` is absent, not null.
            response.pop("data", None)
            request.state.request_error_codes = [
                (error.extensions or {}).get("code") for error in result.errors or ()
            ]
        return response

    async def parse_http_body(self, request: Any) -> GraphQLRequestData:
        parsed = await super().parse_http_body(request)
        if isinstance(parsed, list):  # checked_json takes no batch; strawberry's types allow one
            raise HTTPException(400, "groupql takes one operation per request, not a batch.")
        if not isinstance(parsed.operation_name, str | None):
            raise HTTPException(
                400,
                "The GraphQL operation's `operationName` must be a string or null, if provided.",
            )
        return parsed

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        await context.authenticate_socket()
        return cast(UnsetType, UNSET)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        too_large = f"The request body is over {self.max_request_bytes} bytes."
        request = Request(scope, self._limited(receive))
        operation = None
        if _asks_graphql(request):
            operation = Operation("http", _client_address(request), self.metrics)
            request.state.operation = operation
        refused: str | None = None
        try:
            if _content_length(request) > self.max_request_bytes:
                raise _RequestTooLarge
            if "authorization" not in request.headers and _asks_graphql(request):
                running: wiring.Running = request.app.state.running
                context = Context(
                    services=running.services,
                    authorization=None,
                    throttle=running.throttle,
                    rate_limits=running.rate_limits,
                )
                await context.count(
                    "request without a token",
                    by=_client_address(request),
                    rate=running.rate_limits.anonymous,
                )
            response = await self.run(request)
        except RateLimited as limited:
            log_refusal(limited.code, limited.message, client=_client_address(request))
            response = _rate_limited(limited)
            refused = limited.code
        except (HTTPException, StrawberryGraphQLError) as error:
            # A request that is not GraphQL at all (bad JSON, no query): still answer in
            # GraphQL's error shape, so clients parse every failure the same way.
            reason = quoted(getattr(error, "reason", None) or str(error))
            log_refusal("BAD_USER_INPUT", reason, client=_client_address(request))
            response = _bad_request(reason)
            refused = "BAD_USER_INPUT"
        except _RequestTooLarge:
            log_refusal("BAD_USER_INPUT", too_large, client=_client_address(request))
            response = _bad_request(too_large, status_code=413)
            refused = "BAD_USER_INPUT"
        if wants_graphql_response_json(request.headers.get("accept")):
            _answer_as_graphql_response(request, response)
        await response(scope, receive, send)
        if operation is not None:
            operation.failed_with([refused] if refused else [])
            operation.finish()

    def _limited(self, receive: Receive) -> Receive:
        """`receive`, refusing a body that grows past the limit (chunked bodies have no length)."""
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_request_bytes:
                raise _RequestTooLarge
            return message

        return limited_receive


def _operation_of(request: Request | WebSocket) -> Operation | None:
    operation: Operation | None = getattr(request.state, "operation", None)
    return operation


def _client_address(request: Request | WebSocket) -> str:
    # ProxyHeadersMiddleware has already put the forwarded address here when the peer is a
    # trusted proxy (GROUPQL_TRUSTED_PROXIES), and only then.
    return request.client.host if request.client else "unknown"


def _asks_graphql(request: Request) -> bool:
    """A GraphQL request (not a browser opening GraphiQL)."""
    params = request.query_params
    return request.method == "POST" or "query" in params or "extensions" in params


def _answer_as_graphql_response(request: Request, response: Response) -> None:
    """In `application/graphql-response+json`: a request error (nothing executed) with its 4xx,
    and what was refused before GraphQL ran (a 400, 413 or 429) with its own status."""
    if response.headers.get("content-type", "").startswith("application/json"):
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        codes = getattr(request.state, "request_error_codes", None)
        if codes is not None and response.status_code == 200:
            response.status_code = request_error_status(codes)


def _rate_limited(limited: RateLimited) -> Response:
    extensions = {"code": limited.code, "retryAfter": limited.retry_after_s}
    return JSONResponse(
        {"errors": [{"message": limited.message, "extensions": extensions}]},
        status_code=429,
        headers={"Retry-After": str(limited.retry_after_s)},
    )


def _content_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:
        return 0


def _bad_request(message: str, status_code: int = 400) -> Response:
    return JSONResponse(
        {"errors": [{"message": quoted(message), "extensions": {"code": "BAD_USER_INPUT"}}]},
        status_code=status_code,
    )


def _base_url(request: Request | WebSocket) -> str:
    """This server as the client reached it (http(s), behind trusted proxies as forwarded): a
    plain Host header as it is, without building and parsing the request's whole URL on every
    request; anything else (no Host, an IPv6 address, a malformed header) as Starlette's
    `request.url` reads it."""
    scheme = request.scope.get("scheme", "http")
    host = request.headers.get("host")
    plain = None if host is None else _PLAIN_HOST.fullmatch(host)
    if plain is None or (plain["port"] is not None and int(plain["port"]) > 65535):
        host = request.url.netloc
    return f"{_HTTP_SCHEMES.get(scheme, scheme)}://{host}"


_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+(?::(?P<port>[0-9]{1,5}))?")
_HTTP_SCHEMES = {"ws": "http", "wss": "https"}
