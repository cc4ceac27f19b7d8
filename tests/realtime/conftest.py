"""Fixtures: a real redis-server for the session, and started Redis buses closed after each test."""

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from groupql.realtime.redis_bus import RedisBus
from tests.fakes.redis_server import running_redis_server

StartRedisBus = Callable[..., Awaitable[RedisBus]]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not on PATH: .ci/run must install redis-server")
        pytest.skip("redis-server is not on PATH; install it to run the Redis bus tests")
    with running_redis_server() as url:
        yield url


@pytest.fixture
async def redis_bus(redis_url: str) -> AsyncIterator[StartRedisBus]:
    """Start a RedisBus (another app instance) on `url`, the session's server by default."""
    buses: list[RedisBus] = []

    async def start(url: str = redis_url, buffer_size: int = 100) -> RedisBus:
        bus = RedisBus(url, buffer_size)
        await bus.start()
        buses.append(bus)
        return bus

    yield start
    for bus in buses:
        await bus.close()
