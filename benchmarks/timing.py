"""Timing helpers: one sample per call, shown in milliseconds."""

from collections.abc import Awaitable, Callable
from time import perf_counter


async def time_calls(call: Callable[[], Awaitable[object]], count: int) -> list[float]:
    """Seconds taken by each of `count` sequential calls."""
    samples: list[float] = []
    for _ in range(count):
        start = perf_counter()
        await call()
        samples.append(perf_counter() - start)
    return samples


def format_ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
