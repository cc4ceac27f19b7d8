"""Keep-alive pings for every graphql-transport-ws socket of an app, on one timer.

Mobile networks and proxies drop sockets that stay silent; a ping every interval keeps them open
and lets the client notice a dead server. A timer per socket (asyncio's TimerHandle, its
arguments and the context it copies) held ~650 B of every idle socket; here the sockets share
one timer, which ticks SLICES times an interval and pings one slice of them at each tick: each
socket once an interval (its first ping within one interval of its connection_ack), and a
thousand sockets are not pinged in one burst.
"""

import asyncio
from typing import Protocol

SLICES = 8


class Pinged(Protocol):
    def ping(self) -> None: ...


class Pings:
    """The sockets to ping every `interval_s`, in SLICES slices taken in turn."""

    def __init__(self, interval_s: float | None) -> None:
        self.interval_s = interval_s
        self._slices: list[set[Pinged]] = [set() for _ in range(SLICES)]
        self._joining = 0  # the slice the next socket joins
        self._due = 0  # the slice the next tick pings
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return sum(map(len, self._slices))

    @property
    def ticking(self) -> bool:
        """Whether its timer runs (only while it has sockets)."""
        return self._timer is not None

    def add(self, socket: Pinged) -> None:
        """Ping `socket` every interval (never, without one) until it is discarded."""
        if self.interval_s is None:
            return
        self._slices[self._joining].add(socket)
        self._joining = (self._joining + 1) % SLICES
        loop = asyncio.get_running_loop()
        if self._timer is None or self._loop is not loop:
            self._schedule(loop)

    def discard(self, socket: Pinged) -> None:
        for sockets in self._slices:
            sockets.discard(socket)
        if self._timer is not None and not any(self._slices):
            self._timer.cancel()
            self._timer = None

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        assert self.interval_s is not None
        if self._timer is not None:
            self._timer.cancel()
        self._loop = loop
        self._timer = loop.call_later(self.interval_s / SLICES, self._tick)

    def _tick(self) -> None:
        self._timer = None
        due, self._due = self._slices[self._due], (self._due + 1) % SLICES
        for socket in list(due):
            socket.ping()
        if any(self._slices) and self._loop is not None:
            self._schedule(self._loop)
