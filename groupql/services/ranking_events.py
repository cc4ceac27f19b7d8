"""RankingChanged, coalesced: a leaderboard screen refetches at most once per interval per metric,
however many scores change (the first change is told at once, the rest once the interval ends,
as the shortest period among them). Each instance coalesces what it writes: with N instances a
metric can be told up to N times per interval."""

import asyncio
from dataclasses import dataclass
from datetime import date

from groupql.records import RankingPeriod
from groupql.services.events import Events

_ORDER = {period: order for order, period in enumerate(RankingPeriod)}  # DAY first


@dataclass(frozen=True)
class RankingChange:
    group_id: str
    metric: str
    period: RankingPeriod
    day: date


class RankingEvents:
    def __init__(self, events: Events, *, interval_s: float) -> None:
        self._events = events
        self._interval_s = interval_s
        # Per (group, metric): the change to tell when the interval ends (None: nothing new).
        self._waiting: dict[tuple[str, str], RankingChange | None] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def changed(self, change: RankingChange) -> None:
        key = (change.group_id, change.metric)
        if key in self._waiting:
            # Told when the interval ends: the shortest period that changed meanwhile.
            waiting = self._waiting[key]
            if waiting is None or _ORDER[change.period] <= _ORDER[waiting.period]:
                self._waiting[key] = change
            return
        self._waiting[key] = None
        await self._events.ranking(change.group_id, change.metric, change.period, change.day)
        self._schedule(key)

    def _schedule(self, key: tuple[str, str]) -> None:
        task = asyncio.get_running_loop().create_task(self._end(key))
        self._tasks.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._tasks.discard)

    async def _end(self, key: tuple[str, str]) -> None:
        await asyncio.sleep(self._interval_s)
        waiting = self._waiting.pop(key, None)
        if waiting is not None:
            await self.changed(waiting)

    def stop(self) -> None:
        """Tell nothing more (the app stops): what waits for its interval is dropped."""
        for task in self._tasks:
            task.cancel()
