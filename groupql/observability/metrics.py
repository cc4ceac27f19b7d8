"""The Prometheus metrics of one app, in a registry of its own, and the ambient reach to them."""

import asyncio
import re
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from typing import Any, Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics import MetricWrapperBase
from pymongo import monitoring

# Operation names are chosen by clients: past this many distinct ones, new names count as
# "other", so that a client inventing names cannot grow the metrics without bound.
MAX_OPERATION_NAMES = 200
ANONYMOUS = "anonymous"
OTHER = "other"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
# WeChat's API paths (no query: it holds the secret or the access token) and errcodes are few;
# anything else (a test double's path, an odd errcode) is bucketed.
_WECHAT_PATH = re.compile(r"/(?:sns|cgi-bin|wxa)(?:/[a-z0-9_]{1,40}){1,4}$")
_ERRCODE = re.compile(r"-?[0-9]{1,8}")
# Close codes the server sends (1000 normal, 1011 error, 1013 feed cut off, 44xx protocol).
_CLOSE_CODES = frozenset({1000, 1001, 1008, 1011, 1013, 4400, 4401, 4403, 4406, 4408, 4409, 4429})
_LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BUS_LAG_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
M = TypeVar("M", bound=MetricWrapperBase)
_STORE_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)


class Children(Generic[M]):
    """A labelled metric's children, each looked up once: `labels()` checks and locks on every
    call. Only for labels of a bounded set (outcomes, operation names past their bound)."""

    def __init__(self, metric: M) -> None:
        self._metric = metric
        self._found: dict[tuple[str, ...], M] = {}

    def __call__(self, *labels: str) -> M:
        child = self._found.get(labels)
        if child is None:
            child = self._found[labels] = self._metric.labels(*labels)
        return child


class Metrics:
    """Every metric groupql exports. One per app: tests run many apps in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        labels = ["operation", "outcome"]
        self.operations = Counter(
            "groupql_operations",
            "GraphQL operations finished, by operation name and outcome (OK or the first error "
            "code); WebSocket operations count when they end.",
            labels,
            registry=registry,
        )
        self.operation_seconds = Histogram(
            "groupql_operation_duration_seconds",
            "How long GraphQL queries and mutations took (subscriptions are not latency).",
            labels,
            buckets=_LATENCY_BUCKETS_S,
            registry=registry,
        )
        self.kept_answers = Counter(
            "groupql_response_cache",
            "Queries by what the response cache did: served a kept answer (hit), ran it and kept "
            "the answer (kept), or ran it without keeping (not_kept: it failed, wrote, or raced "
            "a write).",
            ["result"],
            registry=registry,
        )
        self.execution_plans = Counter(
            "groupql_execution_plans",
            "Queries by how they ran: by their plan (planned), by graphql-core after their plan "
            "met an error (fell_back), or by graphql-core alone (unplanned: plans are off, or the "
            "document has directives or introspection).",
            ["result"],
            registry=registry,
        )
        self.open_websockets = Gauge(
            "groupql_websockets_open", "WebSockets accepted and not yet closed.", registry=registry
        )
        self.active_subscriptions = Gauge(
            "groupql_subscriptions_active", "Subscriptions running.", registry=registry
        )
        self.websocket_closes = Counter(
            "groupql_websocket_closes",
            "WebSockets closed by the server, by close code (1013: a feed cut off, the "
            "subscriber fell behind or the bus went away).",
            ["code"],
            registry=registry,
        )
        self.events_published = Counter(
            "groupql_events_published",
            "Live events published on the bus, by event type.",
            ["type"],
            registry=registry,
        )
        self.events_delivered = Counter(
            "groupql_events_delivered",
            "Subscription results sent to WebSocket clients.",
            registry=registry,
        )
        self.bus_lag = Histogram(
            "groupql_bus_lag_seconds",
            "From an event's PUBLISH on any instance to its arrival here through Redis (the "
            "in-process bus has no lag to count).",
            buckets=_BUS_LAG_BUCKETS_S,
            registry=registry,
        )
        self.subscriptions_cut_off = Counter(
            "groupql_subscriptions_cut_off",
            "Subscriptions ended by the server: fell_behind (a slow consumer whose buffer "
            "filled) or bus_unavailable (the bus went away); clients resume from their last seq.",
            ["reason"],
            registry=registry,
        )
        self.store_seconds = Histogram(
            "groupql_store_command_duration_seconds",
            "Store commands (MongoDB or the in-memory engine), by command name.",
            ["command"],
            buckets=_STORE_BUCKETS_S,
            registry=registry,
        )
        self.store_errors = Counter(
            "groupql_store_command_errors",
            "Store commands that failed, by command name.",
            ["command"],
            registry=registry,
        )
        self.wechat_calls = Counter(
            "groupql_wechat_calls",
            "Calls of WeChat's server APIs, by endpoint and errcode (0 success; or timeout, "
            "http_error, bad_answer when no errcode came back).",
            ["endpoint", "errcode"],
            registry=registry,
        )
        self.refusals = Counter(
            "groupql_refusals",
            "Refused requests by error code (RATE_LIMITED: a rate limit).",
            ["code"],
            registry=registry,
        )
        self._operation_names: set[str] = set()
        self._operations = Children(self.operations)
        self._operation_seconds = Children(self.operation_seconds)
        self.execution_plan = Children(self.execution_plans)
        self.store_listener = StoreListener(self)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def operation_label(self, name: str | None) -> str:
        if name is None or not _NAME.fullmatch(name):
            return ANONYMOUS
        if name not in self._operation_names:
            if len(self._operation_names) >= MAX_OPERATION_NAMES:
                return OTHER
            self._operation_names.add(name)
        return name

    def operation_finished(
        self, name: str | None, outcome: str, *, duration_s: float | None
    ) -> None:
        label = self.operation_label(name)
        self._operations(label, outcome).inc()
        if duration_s is not None:
            self._operation_seconds(label, outcome).observe(duration_s)

    def websocket_closed(self, code: int) -> None:
        self.websocket_closes.labels(str(code) if code in _CLOSE_CODES else OTHER).inc()

    def wechat_answered(self, path: str, errcode: object) -> None:
        # A proxy in GROUPQL_WECHAT_API_BASE may put a prefix before WeChat's own path.
        found = _WECHAT_PATH.search(path)
        endpoint = found.group() if found else OTHER
        code = str(errcode)
        self.wechat_calls.labels(endpoint, code if _ERRCODE.fullmatch(code) else OTHER).inc()


class StoreListener(monitoring.CommandListener):
    """Store command latency and errors, as the driver (or the in-memory engine) reports them."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        # A driver sends a few dozen command names.
        self._seconds = Children(metrics.store_seconds)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._seconds(event.command_name).observe(event.duration_micros / 1e6)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._seconds(event.command_name).observe(event.duration_micros / 1e6)
        self._metrics.store_errors.labels(event.command_name).inc()


# The WeChat clients, the bus and the refusal log are built deep below the app and reach no
# per-app object; the app sets its metrics here for its lifespan (background tasks inherit it)
# and for each request, so that those few places count without a parameter through every layer.
_current: ContextVar["Metrics | None"] = ContextVar("groupql_metrics", default=None)
T = TypeVar("T")


def observed() -> "Metrics | None":
    """The metrics of the app serving this task, if any."""
    return _current.get()


@contextmanager
def observing(metrics: Metrics | None) -> Iterator[None]:
    token = _current.set(metrics)
    try:
        yield
    finally:
        _current.reset(token)


async def started_observed(metrics: Metrics, start: Coroutine[Any, Any, T]) -> T:
    """Await `start` with `metrics` observed: the tasks it starts (background jobs, the bus's
    listener) keep them. Run as a task of its own, so that nothing leaks into the caller's
    context (a test's lifespan may end in another context than it began)."""
    context = copy_context()
    context.run(_current.set, metrics)
    return await asyncio.create_task(start, context=context)
