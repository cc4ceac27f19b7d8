"""Work that runs on its own, every few seconds, beside the requests: telling the voters of
polls that closed, sending subscribe messages. Each job is safe to run on every instance at
once (it claims its work with conditional writes), so no instance is special."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from groupql.store.outages import is_outage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Awaitable[object]]


class Background:
    """Runs each job every `interval_s` until stopped; a failing run is logged, and the next
    one comes as usual."""

    def __init__(self, jobs: list[Job], interval_s: float) -> None:
        self._jobs = jobs
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="groupql-background")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> None:
        for job in self._jobs:
            try:
                await job.run()
            except Exception as error:
                if is_outage(error):
                    logger.warning("%s: the database did not answer (%s)", job.name, error)
                else:
                    logger.exception("%s failed", job.name)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            await self.run_once()
