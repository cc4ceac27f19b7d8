"""The throttle shared by every instance through Redis: one atomic script per action."""

import logging

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from groupql.throttle.rates import Rate

logger = logging.getLogger(__name__)

# GCRA in one step: read the key's TAT, refuse or move it, and let the key expire when it would
# start afresh anyway. Redis's own clock (TIME) serves every instance, so their clocks need not
# agree. Returns the milliseconds to wait, 0 when allowed.
_HIT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval_ms = tonumber(ARGV[1])
local period_ms = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now_ms)
if tat < now_ms then tat = now_ms end
local allowed_at = tat + interval_ms - period_ms
if allowed_at > now_ms then return allowed_at - now_ms end
redis.call('SET', KEYS[1], tat + interval_ms, 'PX', tat + interval_ms - now_ms)
return 0
"""


class RedisThrottle:
    """Counts every instance's actions together. While Redis is down it lets actions through
    (and says so in the log): losing the limits for a while beats refusing every request."""

    def __init__(self, url: str, prefix: str = "groupql:rate:") -> None:
        redis = Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
        self._redis = redis
        self._prefix = prefix
        self._hit = redis.register_script(_HIT)

    async def hit(self, key: str, rate: Rate) -> float | None:
        interval_ms = max(1, round(rate.interval_s * 1000))
        period_ms = round(rate.period_s * 1000)
        try:
            wait_ms = int(await self._hit(keys=[self._prefix + key], args=[interval_ms, period_ms]))
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            logger.warning("rate limits are off while Redis does not answer: %s", error)
            return None
        return None if wait_ms <= 0 else wait_ms / 1000

    async def close(self) -> None:
        await self._redis.aclose()
