"""Versions every instance shares through Redis: a write anywhere ends every instance's answers
that read what it touched."""

import logging
import secrets
import time
from collections.abc import Iterable, Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from groupql.versions import EPOCH, VersionsUnavailable

logger = logging.getLogger(__name__)
# Whatever Redis answers instead of doing it: down, slow, read-only after a failover, full.
_FAILED = (RedisError, OSError)
# After a failure, Redis is left alone this long: a write then costs no wait (its move counts
# as lost), and reads of versions fail at once.
BACK_OFF_S = 2.0

# One step: a new latest version, set on each scope written. A scope's key lasts a day after its
# last write; one that expired reads as never written (0), which no answer kept that long can
# mistake for the version it read (answers are kept at most GROUPQL_RESPONSE_CACHE_MAX_AGE_S).
_MOVED = """
local latest = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], latest, 'EX', ARGV[1]) end
return latest
"""
# The latest version, and the epoch: a random number set once, which an answer also depends on.
# Redis restarted empty, or flushed, has another: nothing kept before matches it again.
_LATEST = """
redis.call('SET', KEYS[2], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
"""
SCOPE_TTL_S = 86_400


class RedisVersions:
    """Reading versions raises VersionsUnavailable when Redis does not answer: the response
    cache then neither serves nor keeps answers. Every failure counts as a lost move, so that
    this instance serves nothing it kept before it (a failover may have lost moves too)."""

    # The braces keep every key in one hash slot (a proxy in front of a cluster routes them).
    def __init__(self, url: str, prefix: str = "{groupql-versions}:") -> None:
        self.lost = 0
        self._redis = Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
        self._prefix = prefix
        self._latest_key = f"{prefix}latest"
        self._moved = self._redis.register_script(_MOVED)
        self._latest = self._redis.register_script(_LATEST)
        self._left_alone_until = 0.0

    async def latest(self) -> int:
        self._unless_left_alone()
        epoch = secrets.randbelow(2**62) + 1
        try:
            found = await self._latest(keys=[self._latest_key, self._key(EPOCH)], args=[epoch])
        except _FAILED as error:
            raise self._failed(error) from error
        return int(found or 0)

    async def of(self, scopes: Sequence[str]) -> list[int]:
        if not scopes:
            return []
        self._unless_left_alone()
        try:
            found = await self._redis.mget([self._key(one) for one in scopes])
        except _FAILED as error:
            raise self._failed(error) from error
        return [int(value or 0) for value in found]

    async def moved(self, scopes: Iterable[str]) -> None:
        # The write itself is done: failing it now would only make its client retry it. This
        # instance serves nothing it kept before; other instances may go on serving what they
        # kept of the scopes, for at most GROUPQL_RESPONSE_CACHE_MAX_AGE_S.
        if time.monotonic() < self._left_alone_until:
            self.lost += 1
            return
        keys = [self._latest_key, *(self._key(one) for one in scopes)]
        try:
            await self._moved(keys=keys, args=[SCOPE_TTL_S])
        except _FAILED as error:
            logger.error("a write's versions did not reach Redis: %s", self._failed(error))

    async def close(self) -> None:
        await self._redis.aclose()

    def _key(self, scope: str) -> str:
        return self._prefix + scope

    def _unless_left_alone(self) -> None:
        if time.monotonic() < self._left_alone_until:
            raise VersionsUnavailable("Redis failed a moment ago")

    def _failed(self, error: Exception) -> VersionsUnavailable:
        self.lost += 1
        self._left_alone_until = time.monotonic() + BACK_OFF_S
        return VersionsUnavailable(str(error) or type(error).__name__)
