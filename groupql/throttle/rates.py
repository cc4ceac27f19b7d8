"""Rates and the in-process throttle, by the generic cell rate algorithm (GCRA).

A rate lets `count` actions per `period_s`, in a burst or spread out: each action moves the key's
theoretical arrival time (TAT) one interval (period / count) further; an action that would move it
more than a period ahead of now is refused, and the client may retry when it would fit. One number
per key, updated in one step: cheap in memory, and one atomic script in Redis.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Rate:
    count: int
    period_s: float = 60.0

    @property
    def interval_s(self) -> float:
        return self.period_s / self.count


@dataclass(frozen=True)
class RateLimits:
    """The rates groupql holds clients to; None where a limit is off."""

    logins: Rate | None
    anonymous: Rate | None
    writes: Rate | None
    subscribes: Rate | None

    @classmethod
    def per_minute(
        cls, *, logins: int, anonymous: int, writes: int, subscribes: int
    ) -> "RateLimits":
        def rate(count: int) -> Rate | None:
            return Rate(count) if count > 0 else None

        return cls(rate(logins), rate(anonymous), rate(writes), rate(subscribes))


class Throttle(Protocol):
    async def hit(self, key: str, rate: Rate) -> float | None:
        """Count one action of `key`; None if allowed, else the seconds until one would be."""
        ...

    async def close(self) -> None: ...


def retry_after_s(tat_s: float, now_s: float, rate: Rate) -> float | None:
    """None when an action at `now_s` fits under the key's TAT, else the wait until it does."""
    allowed_at = max(tat_s, now_s) + rate.interval_s - rate.period_s
    return None if allowed_at <= now_s else allowed_at - now_s


class InProcessThrottle:
    """The throttle of one process: enough for one instance, or for keys that live in it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self._clock = clock
        self._tats: dict[str, float] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, rate: Rate) -> float | None:
        now = self._clock()
        tat = self._tats.get(key, now)
        wait = retry_after_s(tat, now, rate)
        if wait is None:
            self._tats[key] = max(tat, now) + rate.interval_s
            if len(self._tats) > self._max_keys:
                self._forget_idle(now)
        return wait

    async def close(self) -> None:
        self._tats.clear()

    def _forget_idle(self, now: float) -> None:
        # A key whose TAT has passed would start afresh anyway: forgetting it changes nothing.
        self._tats = {key: tat for key, tat in self._tats.items() if tat > now}


def in_process() -> Throttle:
    return InProcessThrottle()


def whole_seconds(wait_s: float) -> int:
    """What `retryAfter` says: whole seconds, never 0 (a client retrying at once is refused)."""
    return max(1, math.ceil(wait_s))
