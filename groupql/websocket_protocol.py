"""The protocol uvicorn runs for each WebSocket: its websockets Sans-I/O protocol, lighter.

An idle subscribed socket is mostly its protocol's state, kept for as long as it is open. Of
uvicorn's, a quarter is empty: its message queue (an `asyncio.Queue`, four deques of 64 slots
each, for the few messages a socket receives) and its `writable` flag (an `asyncio.Event`, one
more deque), ~3.8 KiB a socket; and the handshake's request and response with their headers,
~3 KiB, which nothing reads once the socket is accepted. `LeanSocket` holds them in lists that
grow only while they are used, and lets the handshake go once it is done (issue 17, goal 3; see
docs/performance.md, "What an idle socket holds").
"""

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class Messages:
    """What uvicorn uses of `asyncio.Queue` (`put_nowait`, `get`, `empty`), unbounded, in the
    same order and with the same wake-ups (the first waiting reader, and the next one when a
    woken reader is cancelled before it reads)."""

    __slots__ = ("_items", "_readers")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._readers: list[asyncio.Future[None]] | None = None

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._wake_next()

    async def get(self) -> Any:
        while not self._items:
            reader: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            if self._readers is None:
                self._readers = []
            self._readers.append(reader)
            try:
                await reader
            except BaseException:
                reader.cancel()
                if reader in self._readers:
                    self._readers.remove(reader)
                if self._items:
                    self._wake_next()  # it was woken for an item it will not read
                raise
        return self._items.pop(0)

    def _wake_next(self) -> None:
        readers = self._readers
        while readers:
            reader = readers.pop(0)
            if not reader.done():
                reader.set_result(None)
                return


class Flag:
    """What uvicorn uses of `asyncio.Event`: `set`, `clear`, `is_set` and `wait`."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, *, set: bool = False) -> None:
        self._set = set
        self._waiters: list[asyncio.Future[bool]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        if self._set:
            return
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            return await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class LeanSocket(WebSocketsSansIOProtocol):
    """uvicorn's websockets Sans-I/O protocol with `Messages` for its queue, a `Flag` for its
    `writable` event, and no handshake kept once the socket is accepted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Messages()  # type: ignore[assignment]
        self.writable = Flag(set=True)  # type: ignore[assignment]

    async def send(self, message: Any) -> None:
        await super().send(message)
        request = getattr(self, "request", None)
        if self.handshake_complete and request is not None:
            # Only the handshake reads them (uvicorn answers it with this response). websockets'
            # parser keeps the request in its frame for as long as the socket is open: its
            # headers go too (the app has its own copy, the ASGI scope's).
            request.headers.clear()
            self.request = self.response = None  # type: ignore[assignment]
