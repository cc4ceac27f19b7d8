"""GraphQL over WebSocket: authentication in connection_init, keep-alive, idle sockets, and live
results many sockets share sent as they were encoded once (groupql.schema.shared_results)."""

import asyncio
import json
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import GraphQLFormattedError
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    Operation as TransportOperation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionErrorMessage,
    OperationMessage,
    StartMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyConnectionInitMessage,
)

from groupql.context import Context
from groupql.errors import GroupQLError, RateLimited, Unauthenticated, Unavailable
from groupql.observability.metrics import observed
from groupql.observability.operations import Operation, named
from groupql.pings import Pings
from groupql.refusals import log_refusal
from groupql.schema.live import TRY_AGAIN_LATER
from groupql.schema.shared_results import (
    SharedData,
    direct_sender,
    shared_json,
    sharing,
)

# Close codes a client acts on: log in again (4401), or give up on this socket (4403); 4408 is
# graphql-transport-ws's code for a socket that sent no connection_init in time.
UNAUTHORIZED = 4401
FORBIDDEN = 4403
INIT_TIMEOUT = 4408
# The close reason of a WebSocket frame holds at most 123 bytes.
_MAX_REASON_BYTES = 123


def close_reason(message: str) -> str:
    return message.encode()[:_MAX_REASON_BYTES].decode(errors="ignore")


async def refuse(websocket: Any, error: GroupQLError) -> None:
    code = {Unauthenticated: UNAUTHORIZED, Unavailable: TRY_AGAIN_LATER}.get(type(error), FORBIDDEN)
    await websocket.close(code=code, reason=close_reason(error.message))


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with a refused login closing 4401 and server pings."""

    _pinged = False
    _pinging: "asyncio.Task[None] | None" = None
    _observed: dict[str, Operation] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = sharing(self.schema)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except GroupQLError as error:
            await refuse(self.websocket, error)
            return
        if self.connection_acknowledged and not self._pinged:
            self._pinged = True
            self._pings().add(self)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        try:
            await self._subscribe(message)
        finally:
            # strawberry's read loop holds the last message it read until the next one comes:
            # on an idle socket, this one. Its operation keeps what it needs on its own.
            message.clear()  # type: ignore[attr-defined]

    async def _subscribe(self, message: SubscribeMessage) -> None:
        try:
            await _count_subscribe(self.context, socket=id(self))
        except RateLimited as limited:
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [_limited(limited)]}
            )
            return
        payload: Any = message.get("payload")
        if isinstance(payload, dict) and isinstance(payload.get("query"), str):
            payload["query"] = one_copy(payload["query"])
        await super().handle_subscribe(message)

    async def run_operation(self, operation: TransportOperation[Context, None]) -> None:
        observed = self._observed = self._observed or {}
        observing = observed[operation.id] = _observe(
            self.context, operation.id, operation.query, operation.operation_name
        )
        direct_sender.set(_DirectSender.of(self, "next", operation.id, observing, operation))
        try:
            await super().run_operation(operation)
        finally:
            observed.pop(operation.id).finish()

    async def send_message(self, message: Message) -> None:
        observed = (self._observed or {}).get(str(message.get("id")))
        if observed is not None:
            payload: Any = message.get("payload")
            if message["type"] == "next":
                _delivered(observed, payload.get("errors") or [])
            elif message["type"] == "error":
                observed.failed_with_errors(payload)
        await super().send_message(message)

    def _pings(self) -> Pings:
        pings: Pings = self.view.pings  # type: ignore[attr-defined]  # GroupQLGraphQL's
        return pings

    def ping(self) -> None:
        """Send a ping (groupql.pings), unless the last one is still being sent."""
        if self._pinging is None:
            self._pinging = asyncio.ensure_future(self._send_ping())

    async def _send_ping(self) -> None:
        # A socket that went away meanwhile is shut down by its own handler.
        try:
            with suppress(Exception):
                await self.send_message({"type": "ping"})
        finally:
            self._pinging = None  # a task done is not kept by an idle socket

    async def shutdown(self) -> None:
        self._pings().discard(self)
        if self._pinging is not None:
            self._pinging.cancel()
            with suppress(asyncio.CancelledError):
                await self._pinging
        await super().shutdown()


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The older graphql-ws protocol: the same login rules, and a timeout for connection_init."""

    _observed: dict[str, Operation] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = sharing(self.schema)

    async def handle(self) -> None:
        timeout = asyncio.create_task(self._close_if_not_initialised())
        try:
            await super().handle()
        finally:
            timeout.cancel()

    async def handle_start(self, message: StartMessage) -> None:
        try:
            await _count_subscribe(self.context, socket=id(self))
        except RateLimited as limited:
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": _limited(limited)}
            )
            return
        await super().handle_start(message)

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        observed = self._observed = self._observed or {}
        observing = observed[operation_id] = _observe(
            self.context, operation_id, query, operation_name
        )
        direct_sender.set(_DirectSender.of(self, "data", operation_id, observing))
        try:
            await super().handle_async_results(operation_id, query, operation_name, variables)
        finally:
            observed.pop(operation_id).finish()

    async def send_message(self, message: OperationMessage) -> None:
        observed = (self._observed or {}).get(str(message.get("id")))
        if observed is not None:
            payload: Any = message.get("payload")
            if message["type"] == "data":
                _delivered(observed, payload.get("errors") or [])
            elif message["type"] == "error":
                observed.failed_with_errors([payload])
        await super().send_message(message)

    async def handle_message(self, message: OperationMessage) -> None:
        # The legacy protocol ignores frames it cannot read (strawberry skips undecodable ones);
        # an object without a string `type` is one of those, not a reason to crash the socket.
        if isinstance(message.get("type"), str):
            await super().handle_message(message)

    async def _close_if_not_initialised(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_acknowledged:
            await self.websocket.close(
                code=INIT_TIMEOUT, reason="Connection initialisation timeout"
            )

    async def handle_connection_init(self, message: LegacyConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except GroupQLError as error:
            await self.send_message(
                ConnectionErrorMessage(type="connection_error", payload={"message": error.message})
            )
            await refuse(self.websocket, error)


class _DirectSender:
    """Sends an operation's shared results straight from its subscription (shared_results):
    the bytes encoded once for every socket, framed with the operation's id."""

    # One per subscription, a thousand of them idle: slots, and no closure.
    __slots__ = ("_encode", "_kind", "_observing", "_operation", "_operation_id", "_websocket")

    def __init__(
        self,
        handler: "TransportWSHandler | LegacyWSHandler",
        websocket: ASGIWebSocketAdapter,
        kind: str,
        operation_id: str,
        observing: Operation,
        operation: TransportOperation[Context, None] | None,
    ) -> None:
        self._encode = handler.view.encode_json
        self._websocket = websocket
        self._kind = kind
        self._operation_id = operation_id
        self._observing = observing
        self._operation = operation

    @classmethod
    def of(
        cls,
        handler: "TransportWSHandler | LegacyWSHandler",
        kind: str,
        operation_id: str,
        observing: Operation,
        operation: TransportOperation[Context, None] | None = None,
    ) -> "_DirectSender | None":
        websocket = handler.websocket
        if not isinstance(websocket, ASGIWebSocketAdapter):
            return None
        return cls(handler, websocket, kind, operation_id, observing, operation)

    async def __call__(self, data: SharedData) -> None:
        if self._operation is not None and self._operation.completed:
            return
        _delivered(self._observing, [])
        payload = shared_json(data, self._encode)
        websocket = self._websocket
        with suppress(WebSocketDisconnect, WebSocketDisconnected):
            if websocket.ws.application_state is not WebSocketState.DISCONNECTED:
                if payload is None:
                    message = {"id": self._operation_id, "type": self._kind}
                    await websocket.send_json({**message, "payload": {"data": data}})
                else:
                    framing = _framing(self._kind, self._operation_id)
                    await websocket.ws.send_text(framing + payload + "}")
                return
        # The socket is closing: its handler cancels this operation once it sees the close (as
        # for an interrupted feed), rather than strawberry taking the failed send for an error.
        await asyncio.Event().wait()


TEXTS_KEPT = 256


@lru_cache(maxsize=TEXTS_KEPT)
def one_copy(text: str) -> str:
    """The first copy of `text` seen, for every socket that sends it (of the last TEXTS_KEPT
    texts): a thousand sockets that send the same subscription keep its text once."""
    return text


@lru_cache(maxsize=1024)
def _framing(kind: str, operation_id: str) -> str:
    """A message up to its payload: clients pick few operation ids ("1", "feed"), all alike."""
    return f'{{"id":{json.dumps(operation_id)},"type":{json.dumps(kind)},"payload":'


async def _count_subscribe(context: Context, *, socket: int) -> None:
    # Per socket: a client that floods one socket with subscribe messages is slowed there.
    try:
        await context.count(
            "subscription", by=f"socket-{socket}", rate=context.rate_limits.subscribes
        )
    except RateLimited as limited:
        client, user_id = context.client_address, context.known_user_id()
        log_refusal(limited.code, limited.message, client=client, user_id=user_id)
        raise


def _observe(
    context: Context, operation_id: str, query: str | None, operation_name: str | None
) -> Operation:
    operation = Operation(
        "websocket",
        context.client_address,
        observed(),
        subscription_id=operation_id,
        named=named(query if isinstance(query, str) else None, operation_name),
        known_user=context.known_user_id,
    )
    operation.start()
    return operation


def _delivered(operation: Operation, errors: list[dict[str, Any]]) -> None:
    operation.failed_with_errors(errors)
    if operation.named.kind == "subscription" and operation.metrics is not None:
        operation.metrics.events_delivered.inc()


def _limited(limited: RateLimited) -> GraphQLFormattedError:
    return {
        "message": limited.message,
        "extensions": {"code": limited.code, "retryAfter": limited.retry_after_s},
    }
