"""The event bus: channels of messages, fanned out to local subscribers with bounded buffers."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from groupql.observability.metrics import observed
from groupql.realtime.once import Once

logger = logging.getLogger(__name__)

T = TypeVar("T")


class FellBehind(Exception):
    """A subscriber did not keep up: its buffer filled, so it was cut off (it may resume)."""


class BusUnavailable(Exception):
    """The bus lost its connection; subscribers were cut off (they may resume)."""


@dataclass(eq=False)
class Message:
    """One published message, the same object for every local subscriber of its channel."""

    payload: dict[str, Any]
    _memo: Once = field(default_factory=Once, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """Compute once what every local subscriber needs from this message (a store read)."""
        return self._memo.get(key, compute)


class Subscription:
    """A subscriber's view of one channel: an async iterator over a bounded buffer."""

    # A list and a future rather than an asyncio.Queue (four deques, ~3 KiB): a thousand idle
    # subscribers hold a thousand of these.
    __slots__ = ("_buffer_size", "_is_cut_off", "_on_close", "_pending", "_reader", "channel")

    def __init__(self, channel: str, buffer_size: int, on_close: Callable[["Subscription"], None]):
        self.channel = channel
        self._pending: list[Message | BaseException] = []
        self._reader: asyncio.Future[None] | None = None
        self._buffer_size = buffer_size
        self._on_close = on_close
        self._is_cut_off = False

    def deliver(self, message: Message) -> None:
        if self._is_cut_off:
            return
        if len(self._pending) >= self._buffer_size:
            self.cut_off(FellBehind(f"more than {self._buffer_size} events waited to be sent"))
            return
        self._put(message)

    def cut_off(self, reason: BaseException) -> None:
        """End the subscription: the iterator raises `reason` once what came before is read."""
        if not self._is_cut_off:
            self._is_cut_off = True
            if (metrics := observed()) is not None:
                reason_label = (
                    "fell_behind" if isinstance(reason, FellBehind) else "bus_unavailable"
                )
                metrics.subscriptions_cut_off.labels(reason_label).inc()
            self._put(reason)

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    async def __anext__(self) -> Message:
        while not self._pending:
            reader = self._reader = asyncio.get_running_loop().create_future()
            try:
                await reader
            finally:
                self._reader = None
        item = self._pending.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        self._on_close(self)

    def _put(self, item: Message | BaseException) -> None:
        self._pending.append(item)
        if self._reader is not None and not self._reader.done():
            self._reader.set_result(None)


class EventBus(Protocol):
    async def publish(self, channel: str, payload: dict[str, Any]) -> None: ...

    async def subscribe(self, channel: str) -> Subscription: ...

    async def close(self) -> None: ...


class LocalFanout:
    """The subscribers of each channel in this process, and delivery to them."""

    def __init__(self, buffer_size: int) -> None:
        self._buffer_size = buffer_size
        self._channels: dict[str, set[Subscription]] = {}

    def add(self, channel: str) -> tuple[Subscription, bool]:
        """A new subscription, and whether it is the channel's first here."""
        subscription = Subscription(channel, self._buffer_size, self._remove)
        subscribers = self._channels.setdefault(channel, set())
        subscribers.add(subscription)
        return subscription, len(subscribers) == 1

    def deliver(self, channel: str, message: Message) -> None:
        for subscription in list(self._channels.get(channel, ())):
            subscription.deliver(message)

    def cut_off_all(self, reason: BaseException) -> None:
        for subscribers in self._channels.values():
            for subscription in list(subscribers):
                subscription.cut_off(reason)

    def has(self, channel: str) -> bool:
        return bool(self._channels.get(channel))

    def _remove(self, subscription: Subscription) -> None:
        subscribers = self._channels.get(subscription.channel)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._channels[subscription.channel]
                self.on_channel_empty(subscription.channel)

    def on_channel_empty(self, channel: str) -> None:
        """Hook for buses that hold a remote subscription per channel."""


class InProcessBus(LocalFanout):
    """The default bus: events reach the subscribers of this process only."""

    async def publish(self, channel: str, payload: dict[str, Any]) -> None:
        self.deliver(channel, Message(payload))

    async def subscribe(self, channel: str) -> Subscription:
        subscription, _ = self.add(channel)
        return subscription

    async def close(self) -> None:
        self.cut_off_all(BusUnavailable("the server is shutting down"))


class Merged:
    """Several subscriptions read as one, in the order their messages arrive here; channels come
    and go while it is read (a user joins or leaves a group). What ends one subscription (it
    fell behind, the bus went away) ends them all, raised to the reader."""

    def __init__(self, buffer_size: int) -> None:
        self._queue: asyncio.Queue[tuple[str, Message] | BaseException] = asyncio.Queue(buffer_size)
        self._pumps: dict[str, tuple[Subscription, asyncio.Task[None]]] = {}

    def add(self, subscription: Subscription) -> None:
        if subscription.channel in self._pumps:
            subscription.close()
            return
        pump = asyncio.create_task(self._pump(subscription))
        self._pumps[subscription.channel] = (subscription, pump)

    def remove(self, channel: str) -> None:
        found = self._pumps.pop(channel, None)
        if found is not None:
            subscription, pump = found
            pump.cancel()
            subscription.close()

    def close(self) -> None:
        for channel in list(self._pumps):
            self.remove(channel)

    def __aiter__(self) -> AsyncIterator[tuple[str, Message]]:
        return self

    async def __anext__(self) -> tuple[str, Message]:
        item = await self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    async def _pump(self, subscription: Subscription) -> None:
        try:
            async for message in subscription:
                await self._queue.put((subscription.channel, message))
        except (FellBehind, BusUnavailable) as error:
            await self._queue.put(error)
