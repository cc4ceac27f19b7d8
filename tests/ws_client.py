"""A small graphql-transport-ws (and legacy graphql-ws) client for tests, over real sockets."""

import asyncio
import json
import socket
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


class GraphQLSocket:
    def __init__(self, connection: ClientConnection, protocol: str) -> None:
        self.connection = connection
        self.protocol = protocol
        self._next_id = 0

    @classmethod
    async def open(cls, url: str, protocol: str = TRANSPORT_WS) -> "GraphQLSocket":
        connection = await websockets.connect(
            url,
            subprotocols=[protocol],  # type: ignore[list-item]
            max_size=None,
        )
        return cls(connection, protocol)

    async def init(self, token: str | None, **payload: Any) -> dict[str, Any]:
        """Send connection_init; the server's answer (connection_ack) as a message."""
        if token is not None:
            payload["authorization"] = f"Bearer {token}"
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive(skip_pings=True)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._next_id += 1
        operation_id = str(self._next_id)
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation_id, "type": kind, "payload": payload})
        return operation_id

    async def stop(self, operation_id: str) -> None:
        kind = "complete" if self.protocol == TRANSPORT_WS else "stop"
        await self.send({"id": operation_id, "type": kind})

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, timeout_s: float = 5.0, *, skip_pings: bool = True) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.connection.recv(), timeout_s)
            message: dict[str, Any] = json.loads(raw)
            if skip_pings and message["type"] in ("ping", "pong", "ka"):
                continue
            return message

    async def data(self, timeout_s: float = 5.0) -> dict[str, Any]:
        """The data of the next result; fails on anything else."""
        message = await self.receive(timeout_s)
        assert message["type"] in ("next", "data"), message
        assert "errors" not in message["payload"], message["payload"]
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def closed(self, timeout_s: float = 5.0) -> tuple[int | None, str | None]:
        """Wait for the server to close the socket: its close code and reason."""
        try:
            while True:
                await asyncio.wait_for(self.connection.recv(), timeout_s)
        except websockets.ConnectionClosed as closed:
            if closed.rcvd is None:
                return None, None
            return closed.rcvd.code, closed.rcvd.reason

    async def close(self) -> None:
        await self.connection.close()


class StalledClient:
    """A graphql-transport-ws client that reads only when told to, as a phone that froze.

    Built on websockets' sans-I/O protocol over a raw socket with a small receive window,
    so that when it stops reading, the server's sends block for real.
    """

    def __init__(self, url: str, receive_buffer_bytes: int = 2048) -> None:
        self._uri = parse_uri(url)
        self._protocol = ClientProtocol(
            self._uri, subprotocols=[Subprotocol(TRANSPORT_WS)], max_size=None
        )
        self._receive_buffer_bytes = receive_buffer_bytes
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._unread: list[dict[str, Any]] = []

    async def connect(self) -> None:
        # A small receive window, set before connecting: a client that stops reading soon stops
        # the server's sends too, as a slow phone would. Made for TCP, so asyncio sets NODELAY.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._receive_buffer_bytes)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (self._uri.host, self._uri.port))
        self._reader, self._writer = await asyncio.open_connection(
            sock=sock, limit=self._receive_buffer_bytes
        )
        self._protocol.send_request(self._protocol.connect())
        await self._flush()
        await self._read_until(
            lambda: (
                self._protocol.handshake_exc is None and bool(self._protocol.state.name == "OPEN")
            )
        )

    async def send(self, message: dict[str, Any]) -> None:
        self._protocol.send_text(json.dumps(message).encode())
        await self._flush()

    async def messages(self) -> list[dict[str, Any]]:
        """Everything the server sent until it closed the socket (reading as fast as it can)."""
        while self._protocol.close_code is None:
            if not await self._read_some():
                break
            self._keep_received()
        received, self._unread = self._unread, []
        return received

    @property
    def close_code(self) -> int | None:
        return self._protocol.close_code

    @property
    def close_reason(self) -> str | None:
        return self._protocol.close_reason

    async def next_message(self) -> dict[str, Any]:
        while True:
            self._keep_received()
            if self._unread:
                return self._unread.pop(0)
            assert await self._read_some(), "the server closed the socket"

    async def data(self, timeout_s: float = 5.0) -> dict[str, Any]:
        """The data of the next message, which must be a result."""
        message = await asyncio.wait_for(self.next_message(), timeout_s)
        assert message["type"] == "next", message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def _keep_received(self) -> None:
        for event in self._protocol.events_received():
            if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self._unread.append(json.loads(event.data))

    async def _read_some(self) -> bool:
        assert self._reader is not None
        data = await asyncio.wait_for(self._reader.read(65536), 5)
        if not data:
            self._protocol.receive_eof()
            return False
        self._protocol.receive_data(data)
        await self._flush()
        return True

    async def _read_until(self, done: Any) -> None:
        while not done():
            await self._read_some()
        self._protocol.events_received()

    async def _flush(self) -> None:
        assert self._writer is not None
        for chunk in self._protocol.data_to_send():
            if chunk:
                self._writer.write(chunk)
        await self._writer.drain()
