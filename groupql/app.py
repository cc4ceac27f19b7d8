"""The ASGI app: Starlette routes, the GraphQL endpoint, and the lifespan that connects."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, cast

from cross_web import HTTPException
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from groupql import graphiql, wiring
from groupql.config import Settings
from groupql.context import Context
from groupql.errors import RateLimited
from groupql.json_input import BadJSON, checked_json
from groupql.media.storage import LocalMediaStore
from groupql.observability.metrics import Metrics, started_observed
from groupql.observability.operations import Operation, named
from groupql.observability.requests import Observed
from groupql.push_endpoint import PushEndpoint
from groupql.refusals import log_refusal
from groupql.schema.errors import quoted
from groupql.schema.persisted import PersistedQueriesView
from groupql.schema.root import schema_for
from groupql.services.clock import Clock, utc_now
from groupql.store.indexes import StaleIndexes
from groupql.upload_endpoint import MediaEndpoint, UploadEndpoint
from groupql.websocket import LegacyWSHandler, TransportWSHandler
from groupql.wechat.code2session import quiet_http_client_logs

logger = logging.getLogger("groupql")

READY_TIMEOUT_S = 2.0


class _RequestTooLarge(Exception):
    pass


class GroupQLGraphQL(PersistedQueriesView, GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.metrics = metrics
        self._public_url = settings.public_url.rstrip("/")
        super().__init__(
            schema_for(settings),
            graphql_ide="graphiql",
            # keep_alive sends the legacy protocol's "ka"; TransportWSHandler pings at the same
            # interval.
            keep_alive=True,
            keep_alive_interval=settings.ws_ping_interval_s,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_s),
        )
        self.max_request_bytes = settings.max_request_bytes
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
        return response

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


def _describe(settings: Settings) -> None:
    store = "in-memory store (data is lost on exit)" if settings.uses_memory_store else "MongoDB"
    bus = "Redis event bus" if settings.redis_url else "in-process event bus"
    wechat = "WeChat dev mode (no network)" if settings.is_dev else "WeChat live mode"
    logger.info("groupql starting: %s, %s, %s", store, bus, wechat)
    if settings.is_dev and not settings.uses_memory_store:
        logger.warning(
            "WeChat dev mode on a real MongoDB: anyone can log in as any dev user and join any "
            "group; use GROUPQL_WECHAT_MODE=live for real users"
        )
    if not graphiql.assets_are_built():
        logger.warning(
            "GraphiQL's assets are not built (scripts/graphiql_assets.py needs npm): "
            "the page loads them from %s",
            settings.graphiql_cdn,
        )
    if settings.uses_generated_secret_key:
        logger.warning(
            "GROUPQL_SECRET_KEY is not set: using a key generated for this process; "
            "tokens and stored session keys will not survive a restart"
        )


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = utc_now,
    mongo_listeners: Sequence[CommandListener] = (),
    indexes_checked: bool | None = None,
) -> Starlette:
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        quiet_http_client_logs()
        _describe(settings)
        # Background jobs, the bus and the WeChat clients start here: their tasks count in
        # this app's metrics.
        running = await started_observed(
            metrics,
            wiring.start(
                settings,
                clock=clock,
                mongo_listeners=[*mongo_listeners, metrics.store_listener],
                indexes_checked=indexes_checked,
            ),
        )
        app.state.running = running
        app.state.services = running.services
        try:
            yield
        finally:
            await running.close()

    async def _serve_media(request: Request) -> Response:
        media = request.app.state.running.outside.media
        if not isinstance(media, LocalMediaStore):
            return PlainTextResponse("Media are served by the object storage.", status_code=404)
        return await MediaEndpoint(media, clock).serve(request)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await asyncio.wait_for(request.app.state.running.check_ready(), READY_TIMEOUT_S)
        except StaleIndexes as stale:
            logger.error("readiness check: %s", stale)
            return JSONResponse({"status": "unavailable", "reason": str(stale)}, status_code=503)
        except Exception as error:
            logger.warning("readiness check: the store is unreachable: %s", error)
            reason = "the database does not answer"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def metrics_text(request: Request) -> Response:
        # The classic text format, which Prometheus 2 and every other scraper read.
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    graphql = GroupQLGraphQL(settings, metrics)
    # The client's address, for rate limits: X-Forwarded-For only from the trusted proxies.
    trusted = [host.strip() for host in settings.trusted_proxies.split(",") if host.strip()]
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Mount(
            graphiql.ASSETS_ROUTE,
            StaticFiles(directory=graphiql.ASSETS_DIR, check_dir=False),
            name="graphiql",
        ),
    ]
    if settings.metrics == "on":
        routes.append(Route("/metrics", metrics_text, methods=["GET"]))
    routes.append(Route("/uploads/{upload_id}", UploadEndpoint(), methods=["POST"]))
    routes.append(Route("/media/{key:path}", _serve_media, methods=["GET"]))
    if settings.wechat_push_token is not None:
        push = PushEndpoint(settings)
        routes += [
            Route("/wechat/push", push.verify, methods=["GET"]),
            Route("/wechat/push", push.receive, methods=["POST"]),
        ]
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(Observed, metrics=metrics),
            Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted),
        ],
        lifespan=lifespan,
    )


def _base_url(request: Request | WebSocket) -> str:
    """This server as the client reached it (http(s), behind trusted proxies as forwarded)."""
    scheme = {"ws": "http", "wss": "https"}.get(request.url.scheme, request.url.scheme)
    return f"{scheme}://{request.url.netloc}"
