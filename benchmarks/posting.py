"""Seq allocation under latency: K writers posting to one group at once, with and without the
jittered backoff of losers, on the in-memory engine with a simulated network round trip."""

import asyncio
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from groupql.records import ItemContent, ItemType
from groupql.store import items as items_store
from groupql.store.indexes import INDEXES
from groupql.store.kept_reads import Unkept
from groupql.store.memory import MemoryMongoClient

ROUND_TRIP_S = 0.001  # a MongoDB primary in the same zone answers in about a millisecond
WRITERS = (1, 10, 50)
POSTS_PER_WRITER = 10


class DistantCollection:
    """A collection one simulated network round trip away, counting its round trips."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.round_trips = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._collection, name)

        async def far(*args: Any, **kwargs: Any) -> Any:
            self.round_trips += 1
            await asyncio.sleep(ROUND_TRIP_S)
            return await method(*args, **kwargs)

        return far


@dataclass(frozen=True)
class PostingResult:
    writers: int
    with_backoff: bool
    round_trips_per_post: float
    median_post_s: float
    p99_post_s: float
    gave_up: int  # posts refused as CONFLICT after every attempt lost its race


async def _measure(writers: int, *, with_backoff: bool) -> PostingResult:
    raw = MemoryMongoClient()["bench"]["items"]
    await raw.create_indexes(list(INDEXES["items"]))
    collection = DistantCollection(raw)
    store = items_store.Items(collection, Unkept())  # type: ignore[arg-type]
    latencies: list[float] = []
    gave_up = 0

    async def writer(n: int) -> None:
        nonlocal gave_up
        for post in range(POSTS_PER_WRITER):
            start = time.perf_counter()
            appended = await store.append(
                group_id="g1", type=ItemType.TEXT, author_id=f"u{n}",
                content=ItemContent(text=f"post {post}"), reply_to=None, client_id=None,
                now=datetime.now(UTC),
            )  # fmt: skip
            if appended is None:
                gave_up += 1
            else:
                latencies.append(time.perf_counter() - start)

    with _backoff(with_backoff):
        await asyncio.gather(*(writer(n) for n in range(writers)))
    latencies.sort()
    return PostingResult(
        writers=writers,
        with_backoff=with_backoff,
        round_trips_per_post=collection.round_trips / (writers * POSTS_PER_WRITER),
        median_post_s=statistics.median(latencies),
        p99_post_s=latencies[int(0.99 * (len(latencies) - 1))],
        gave_up=gave_up,
    )


@contextmanager
def _backoff(enabled: bool) -> Iterator[None]:
    kept = items_store._BACKOFF_MAX_S
    items_store._BACKOFF_MAX_S = kept if enabled else 0.0
    try:
        yield
    finally:
        items_store._BACKOFF_MAX_S = kept


async def _run() -> list[PostingResult]:
    results = []
    for writers in WRITERS:
        for with_backoff in (False, True):
            results.append(await _measure(writers, with_backoff=with_backoff))
    return results


def run() -> list[PostingResult]:
    return asyncio.run(_run())


def rows(results: list[PostingResult]) -> list[tuple[str, ...]]:
    table = [("writers", "losers wait", "round trips / post", "median post", "p99 post", "gave up")]
    for result in results:
        table.append(
            (
                str(result.writers),
                "jittered backoff" if result.with_backoff else "no (baseline)",
                f"{result.round_trips_per_post:.1f}",
                f"{result.median_post_s * 1000:.1f} ms",
                f"{result.p99_post_s * 1000:.1f} ms",
                f"{result.gave_up} of {result.writers * POSTS_PER_WRITER}",
            )
        )
    return table
