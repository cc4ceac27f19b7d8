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


async def time_alternating(
    first: Callable[[], Awaitable[object]], second: Callable[[], Awaitable[object]], count: int
) -> tuple[list[float], list[float]]:
    """Seconds taken by `count` calls of each, run first, second, first, second, ..."""
    first_samples: list[float] = []
    second_samples: list[float] = []
    for _ in range(count):
        first_samples += await time_calls(first, 1)
        second_samples += await time_calls(second, 1)
    return first_samples, second_samples


def format_ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
