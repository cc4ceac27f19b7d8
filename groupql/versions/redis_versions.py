"""Versions every instance shares through Redis: a write anywhere ends every instance's answers
that read what it touched."""

import logging
from collections.abc import Iterable, Sequence

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from groupql.versions import VersionsUnavailable

logger = logging.getLogger(__name__)
_UNANSWERED = (RedisConnectionError, RedisTimeoutError, OSError)

# One step: a new latest version, set on each scope written. A scope's key lasts a day after its
# last write; one that expired reads as never written (0), which no answer kept that long can
# mistake for the version it read (answers are kept at most GROUPQL_RESPONSE_CACHE_MAX_AGE_S).
_MOVED = """
local latest = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], latest, 'EX', ARGV[1]) end
return latest
"""
SCOPE_TTL_S = 86_400


class RedisVersions:
    """Reading versions raises VersionsUnavailable when Redis does not answer: the response
    cache then neither serves nor keeps answers."""

    # The braces put every key in one hash slot: the script runs on a Redis Cluster too.
    def __init__(self, url: str, prefix: str = "{groupql-versions}:") -> None:
        self.lost = 0
        self._redis = Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
        self._prefix = prefix
        self._latest_key = f"{prefix}latest"
        self._moved = self._redis.register_script(_MOVED)

    async def latest(self) -> int:
        try:
            return int(await self._redis.get(self._latest_key) or 0)
        except _UNANSWERED as error:
            raise VersionsUnavailable(str(error)) from error

    async def of(self, scopes: Sequence[str]) -> list[int]:
        if not scopes:
            return []
        try:
            found = await self._redis.mget([self._prefix + one for one in scopes])
        except _UNANSWERED as error:
            raise VersionsUnavailable(str(error)) from error
        return [int(value or 0) for value in found]

    async def moved(self, scopes: Iterable[str]) -> None:
        keys = [self._latest_key, *(self._prefix + one for one in scopes)]
        try:
            await self._moved(keys=keys, args=[SCOPE_TTL_S])
        except _UNANSWERED as error:
            # The write itself is done: failing it now would only make its client retry it.
            # This instance serves nothing it kept before; other instances may go on serving
            # what they kept of the scopes, for at most GROUPQL_RESPONSE_CACHE_MAX_AGE_S.
            self.lost += 1
            logger.error("a write's versions did not reach Redis: %s", error)

    async def close(self) -> None:
        await self._redis.aclose()
