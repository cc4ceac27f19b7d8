"""One GraphQL operation as logs and metrics see it: its name, how long, how it ended, who."""

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from graphql import GraphQLError, OperationDefinitionNode, parse

from groupql.observability.logs import FIELDS, OPERATIONS_LOGGER
from groupql.observability.metrics import Metrics

logger = logging.getLogger(OPERATIONS_LOGGER)

OK = "OK"
# Client-chosen strings are cut to this many characters in log lines.
_MAX_LOGGED_CHARS = 64


@dataclass(frozen=True)
class Named:
    kind: Literal["query", "mutation", "subscription"] | None
    name: str | None


@lru_cache(maxsize=256)
def named(query: str | None, operation_name: str | None) -> Named:
    """The type and name of the operation a document runs (clients send the same few texts, so
    the parse is cached); none known for a document that does not parse."""
    if not query:
        return Named(None, operation_name)
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return Named(None, operation_name)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        name = operation.name.value if operation.name else None
        if operation_name is None or name == operation_name:
            return Named(operation.operation.value, name)
    return Named(None, operation_name)


@dataclass
class Operation:
    """An operation in flight; `finish` writes its log line and counts it."""

    transport: Literal["http", "websocket"]
    client: str
    metrics: Metrics | None
    subscription_id: str | None = None
    named: Named = Named(None, None)
    error_codes: list[str] = field(default_factory=list)
    known_user: Callable[[], str | None] = lambda: None
    _started_s: float = field(default_factory=time.perf_counter)

    def failed_with(self, codes: Iterable[str]) -> None:
        self.error_codes += [code for code in codes if code not in self.error_codes]

    def failed_with_errors(self, errors: Iterable[GraphQLError | Mapping[str, Any]]) -> None:
        """Errors as GraphQL results carry them: each with its `extensions.code`."""
        for error in errors:
            extensions = (
                error.extensions if isinstance(error, GraphQLError) else error.get("extensions")
            )
            self.failed_with([str((extensions or {}).get("code", "INTERNAL"))])

    @property
    def outcome(self) -> str:
        return self.error_codes[0] if self.error_codes else OK

    def start(self) -> None:
        """A WebSocket operation's first line (an HTTP operation has only its last)."""
        if self.named.kind == "subscription" and self.metrics is not None:
            self.metrics.active_subscriptions.inc()
        self._log("operation.start", "started")

    def finish(self) -> None:
        duration_s = time.perf_counter() - self._started_s
        if self.metrics is not None:
            if self.named.kind == "subscription" and self.transport == "websocket":
                self.metrics.active_subscriptions.dec()
            latency = None if self.named.kind == "subscription" else duration_s
            self.metrics.operation_finished(self.named.name, self.outcome, duration_s=latency)
        event = "operation" if self.transport == "http" else "operation.end"
        self._log(event, self.outcome, duration_ms=round(duration_s * 1000, 1))

    def _log(self, event: str, how: str, **more: Any) -> None:
        if not logger.isEnabledFor(logging.INFO):
            return
        name = _cut(self.named.name)
        user_id = self.known_user()
        fields = {
            "event": event,
            "transport": self.transport,
            "operation": name,
            "operation_type": self.named.kind,
            **({"subscription_id": _cut(self.subscription_id)} if self.subscription_id else {}),
            **more,
            "outcome": how if event != "operation.start" else None,
            "error_codes": self.error_codes,
            "user_id": user_id,
            "client": self.client,
        }
        what = f"{self.named.kind or 'operation'} {name or '(anonymous)'}"
        took = f" in {more['duration_ms']} ms" if "duration_ms" in more else ""
        logger.info("%s %s%s", what, how, took, extra={FIELDS: fields})


def _cut(text: str | None) -> str | None:
    return None if text is None else text[:_MAX_LOGGED_CHARS]
