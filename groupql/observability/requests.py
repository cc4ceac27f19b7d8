"""ASGI middleware: every request and WebSocket gets a request id (X-Request-Id, the client's
own when it is a sane one, echoed back) and is served with its app's metrics in reach."""

import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from groupql.observability.logs import request_id
from groupql.observability.metrics import Metrics, observing

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADER = b"x-request-id"
# A proxy's or client's id is kept if it cannot spoil a log line: short, and no spaces or quotes.
_SANE_ID = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == HEADER and _SANE_ID.fullmatch(value):
            return str(value.decode())
    return uuid.uuid4().hex


class Observed:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        current = request_id_of(scope)
        header = (HEADER, current.encode())
        accepted = False

        async def observed_send(message: Message) -> None:
            nonlocal accepted
            kind = message["type"]
            if kind in ("http.response.start", "websocket.accept"):
                message["headers"] = [*message.get("headers", ()), header]
            if kind == "websocket.accept":
                accepted = True
                self.metrics.open_websockets.inc()
            elif kind == "websocket.close":
                self.metrics.websocket_closed(int(message.get("code", 1000)))
            await send(message)

        token = request_id.set(current)
        try:
            with observing(self.metrics):
                await self.app(scope, receive, observed_send)
        finally:
            request_id.reset(token)
            if accepted:
                self.metrics.open_websockets.dec()
