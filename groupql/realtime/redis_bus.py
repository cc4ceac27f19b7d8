"""The Redis event bus: one Redis subscription per channel per instance, fanned out locally."""

import asyncio
import json
import logging
import time
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from groupql.observability.metrics import observed
from groupql.realtime.bus import BusUnavailable, LocalFanout, Message, Subscription

logger = logging.getLogger(__name__)

CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
FIRST_RECONNECT_DELAY_S = 0.1
MAX_RECONNECT_DELAY_S = 5.0
SOCKET_TIMEOUT_S = 5.0
PUBLISHED_AT = "publishedAt"  # the wall-clock time of PUBLISH, in seconds since the epoch


class RedisBus(LocalFanout):
    """Events reach the subscribers of every instance connected to the same Redis."""

    def __init__(self, url: str, buffer_size: int) -> None:
        super().__init__(buffer_size)
        # No retries: redis-py would reconnect the subscriber and resubscribe silently, hiding
        # the messages lost meanwhile, and would hold a PUBLISH for seconds while Redis is down.
        # (The pool already replaces connections that Redis closed while they were idle.)
        self._redis = Redis.from_url(
            url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=SOCKET_TIMEOUT_S,
            socket_timeout=SOCKET_TIMEOUT_S,
            decode_responses=True,
        )
        self._pubsub: PubSub | None = None  # None while disconnected
        self._subscribed: set[str] = set()  # confirmed by Redis on the current connection
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._last_sync: dict[str, asyncio.Task[None]] = {}
        self._syncs: set[asyncio.Task[None]] = set()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await self._redis.ping()
            self._pubsub = await self._connect()
        except CONNECTION_ERRORS as error:
            raise BusUnavailable(f"could not connect to Redis: {error}") from error
        self._reader = asyncio.create_task(self._read_forever(self._pubsub))

    async def publish(self, channel: str, payload: dict[str, Any]) -> None:
        try:
            # Stamped with the wall clock, so that each instance can tell how late it heard it.
            await self._redis.publish(channel, json.dumps({**payload, PUBLISHED_AT: time.time()}))
        except CONNECTION_ERRORS as error:
            raise BusUnavailable(f"could not publish to Redis: {error}") from error

    async def subscribe(self, channel: str) -> Subscription:
        subscription, _ = self.add(channel)
        try:
            # Every subscriber waits, not only the first: the second must not return before the
            # first one's SUBSCRIBE is confirmed. Shielded, so that a cancelled subscribe cannot
            # leave a SUBSCRIBE unconfirmed while a later sync of the channel runs.
            await asyncio.shield(self._sync(channel))
        except BaseException:
            subscription.close()
            raise
        return subscription

    def on_channel_empty(self, channel: str) -> None:
        if self._pubsub is not None:
            self._sync(channel)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.wait([self._reader])
        await self._disconnect(BusUnavailable("the server is shutting down"))
        if self._syncs:
            await asyncio.wait(self._syncs)
        await self._redis.aclose()

    def _sync(self, channel: str) -> asyncio.Task[None]:
        """Make Redis's subscription to `channel` match its local subscribers, in turn."""
        task = asyncio.create_task(self._reconcile(channel, self._last_sync.get(channel)))
        self._last_sync[channel] = task
        self._syncs.add(task)

        def forget(_: asyncio.Task[None]) -> None:
            self._syncs.discard(task)
            if self._last_sync.get(channel) is task:
                del self._last_sync[channel]
            error = None if task.cancelled() else task.exception()
            if error is not None and not isinstance(error, BusUnavailable):
                logger.error("could not sync the Redis subscription of %s", channel, exc_info=error)

        task.add_done_callback(forget)
        return task

    async def _reconcile(self, channel: str, previous: asyncio.Task[None] | None) -> None:
        # Syncs of one channel run one after another, each reading the latest local state, so a
        # quick subscribe-unsubscribe-subscribe ends subscribed, never with commands reordered.
        if previous is not None:
            await asyncio.wait([previous])
        is_wanted = self.has(channel)
        if is_wanted == (channel in self._subscribed):
            return
        pubsub = self._pubsub
        if pubsub is None:
            raise BusUnavailable("Redis is unreachable; subscribe again in a moment")
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = confirmed
        try:
            if is_wanted:
                await pubsub.subscribe(channel)
            else:
                await pubsub.unsubscribe(channel)
        except CONNECTION_ERRORS as error:
            self._confirmations.pop(channel, None)
            raise BusUnavailable(f"could not subscribe on Redis: {error}") from error
        await confirmed

    async def _read_forever(self, pubsub: PubSub) -> None:
        while True:
            try:
                await self._read(pubsub)
            except Exception as error:  # whatever broke, the connection's state is now unknown
                logger.warning(
                    "lost the connection to Redis (%s); reconnecting",
                    error,
                    exc_info=not isinstance(error, CONNECTION_ERRORS),
                )
                await self._disconnect(
                    BusUnavailable("lost the connection to Redis; subscribe again to resume")
                )
                pubsub = self._pubsub = await self._reconnect()
                logger.info("reconnected to Redis")
                for channel in list(self._channels):
                    self._sync(channel)

    async def _read(self, pubsub: PubSub) -> None:
        while True:
            message = await pubsub.get_message(timeout=None)
            if message is None:
                continue
            kind, channel = message["type"], message["channel"]
            if kind == "message":
                self.deliver(channel, Message(_heard(json.loads(message["data"]))))
            elif kind in ("subscribe", "unsubscribe"):
                if kind == "subscribe":
                    self._subscribed.add(channel)
                else:
                    self._subscribed.discard(channel)
                confirmed = self._confirmations.pop(channel, None)
                if confirmed is not None and not confirmed.done():
                    confirmed.set_result(None)

    async def _disconnect(self, reason: BusUnavailable) -> None:
        pubsub, self._pubsub = self._pubsub, None
        self._subscribed.clear()
        for confirmed in self._confirmations.values():
            if not confirmed.done():
                confirmed.set_exception(reason)
        self._confirmations.clear()
        self.cut_off_all(reason)
        if pubsub is not None:
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _reconnect(self) -> PubSub:
        delay_s = FIRST_RECONNECT_DELAY_S
        while True:
            await asyncio.sleep(delay_s)
            try:
                return await self._connect()
            except CONNECTION_ERRORS:
                delay_s = min(delay_s * 2, MAX_RECONNECT_DELAY_S)

    async def _connect(self) -> PubSub:
        pubsub = self._redis.pubsub()
        # redis-py leaves PubSub.connect and PubSub.aclose unannotated.
        await pubsub.connect()  # type: ignore[no-untyped-call]
        return pubsub


def _heard(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload as published, its lag from PUBLISH to here counted (instances' clocks are
    NTP-synced; a message from an instance that stamps nothing counts nothing)."""
    published_at = payload.pop(PUBLISHED_AT, None)
    if isinstance(published_at, int | float) and (metrics := observed()) is not None:
        metrics.bus_lag.observe(max(time.time() - published_at, 0.0))
    return payload
