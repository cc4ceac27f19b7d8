"""The ASGI app: Starlette routes, the GraphQL endpoint, and the lifespan that connects."""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from groupql import collector, graphiql, wiring
from groupql.config import Settings
from groupql.graphql_view import GroupQLGraphQL
from groupql.media.storage import LocalMediaStore
from groupql.observability.metrics import Metrics, started_observed
from groupql.observability.requests import Observed
from groupql.observability.tracing import Tracing
from groupql.push_endpoint import PushEndpoint
from groupql.services.clock import Clock, utc_now
from groupql.store.indexes import StaleIndexes
from groupql.upload_endpoint import MediaEndpoint, UploadEndpoint
from groupql.wechat.code2session import quiet_http_client_logs

logger = logging.getLogger("groupql")

READY_TIMEOUT_S = 2.0


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
    tune_collector: bool = False,
) -> Starlette:
    settings = settings or Settings()
    metrics = Metrics()
    tracing = Tracing.from_environment()
    if tracing is not None:
        mongo_listeners = [*mongo_listeners, tracing.store_listener()]

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
        if tune_collector:
            collector.settle_after_start()
        try:
            yield
        finally:
            await running.close()
            if tracing is not None:
                tracing.close()

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

    graphql = GroupQLGraphQL(settings, metrics, tracing.tracer if tracing is not None else None)
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
            *([Middleware(tracing.around_http)] if tracing is not None else []),
            Middleware(Observed, metrics=metrics),
            Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted),
        ],
        lifespan=lifespan,
    )


def served_app() -> Starlette:
    """The app as `groupql serve` runs it in each worker: settings from the environment, and the
    garbage collector tuned once it has started (groupql.collector)."""
    return create_app(tune_collector=True)
