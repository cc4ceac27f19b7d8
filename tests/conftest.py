"""Fixtures: a running app per test, its GraphQL client, a fake WeChat on loopback HTTP and a
clock tests move; tests act through the people of `tests.actors`."""

import asyncio
import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pymongo import AsyncMongoClient, monitoring
from starlette.applications import Starlette

from groupql.app import create_app
from groupql.config import Settings
from groupql.serving_options import uvicorn_options
from groupql.store.watched import SCOPE_KEYS
from groupql.versions import ALL, scope
from tests.fakes.wechat import FAKE_APPID, FAKE_SECRET, FakeWeChat, running_fake_wechat
from tests.store import shapes

pytest_plugins = ["tests.query_shapes"]

TEST_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789"
TEST_APPID = "wxtestapp00000001"


@pytest.fixture(autouse=True)
def without_groupql_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read GROUPQL_* variables: a developer's shell must not change what tests see.
    GROUPQL_TEST_* variables choose where tests run, so they stay."""
    for name in list(os.environ):
        if name.startswith("GROUPQL_") and not name.startswith("GROUPQL_TEST_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def fake_wechat_server() -> Iterator[FakeWeChat]:
    with running_fake_wechat() as fake:
        yield fake


@pytest.fixture
def fake_wechat(fake_wechat_server: FakeWeChat) -> FakeWeChat:
    fake_wechat_server.reset()
    return fake_wechat_server


class Clock:
    """A clock tests can move; starts at the real now."""

    def __init__(self) -> None:
        now = datetime.now(UTC)
        self.now = now.replace(microsecond=now.microsecond // 1000 * 1000)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


_WRITES = frozenset({"insert", "update", "findAndModify", "delete"})


class RoundTrips(monitoring.CommandListener):
    """Counts store round trips (commands sent to MongoDB or the in-memory engine)."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.collections: list[str] = []
        # Documents inserted, by collection.
        self.inserted: dict[str, int] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        collection = str(event.command.get(event.command_name))
        self.commands.append(event.command_name)
        self.collections.append(collection)
        if event.command_name == "insert":
            count = len(event.command.get("documents", ()))
            self.inserted[collection] = self.inserted.get(collection, 0) + count

    def writes(self) -> int:
        """Write commands sent since the last reset."""
        return sum(1 for name in self.commands if name in _WRITES)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def reset(self) -> None:
        self.commands.clear()
        self.collections.clear()
        self.inserted.clear()


@dataclass
class Api:
    """A GraphQL client of one running app, as a mini-program would talk to it."""

    http: httpx.AsyncClient
    settings: Settings
    round_trips: RoundTrips
    app: Starlette

    async def forget_kept_reads(self) -> None:
        """Send the next reads to the store (groupql.store.kept_reads), as a write of keys not
        known to every watched collection would: what a read costs when nothing is kept."""
        versions = self.app.state.running.database.versions
        if versions is not None:
            await versions.moved([scope(name, ALL) for name in SCOPE_KEYS])

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The data of a query that must succeed."""
        body = await self.post(query, variables, token=token)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> str:
        """The extensions.code of a query that must fail."""
        body = await self.post(query, variables, token=token)
        assert body.get("errors"), body
        code: str = body["errors"][0]["extensions"]["code"]
        return code


@asynccontextmanager
async def running_api(settings: Settings, clock: Callable[[], datetime]) -> AsyncIterator[Api]:
    round_trips = RoundTrips()
    app = create_app(settings, clock=clock, mongo_listeners=[round_trips, shapes.RECORDER])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://groupql.test") as http:
            yield Api(http=http, settings=settings, round_trips=round_trips, app=app)


def settings_for_test(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "secret_key": TEST_SECRET_KEY,
        "wechat_appid": TEST_APPID,
        "mongodb_url": "memory://",
        # Tests act as hundreds of users from one address in seconds; the rate-limit tests
        # (tests/test_rate_limits.py) turn the limits on.
        "rate_logins_per_min": 0,
        "rate_anonymous_per_min": 0,
        "rate_writes_per_min": 0,
        "rate_subscribes_per_min": 0,
        # Background jobs would interleave their store round trips with the ones tests count;
        # the tests of those jobs run them sooner.
        "background_interval_s": 3600,
        "media_dir": Path(tempfile.mkdtemp(prefix="groupql-test-media-")),
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def api_on_test_store(clock: Callable[[], datetime], **overrides: Any) -> AsyncIterator[Api]:
    """An app on the in-memory store, or on a throwaway database of GROUPQL_TEST_MONGODB_URL."""
    mongodb_url = os.environ.get("GROUPQL_TEST_MONGODB_URL")
    if not mongodb_url:
        async with running_api(settings_for_test(**overrides), clock) as api:
            yield api
        return
    db_name = f"groupql_test_{uuid.uuid4().hex[:12]}"
    settings = settings_for_test(mongodb_url=mongodb_url, mongodb_db=db_name, **overrides)
    try:
        async with running_api(settings, clock) as api:
            yield api
    finally:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
        await client.drop_database(db_name)
        await client.close()


@pytest.fixture
async def api(clock: Clock) -> AsyncIterator[Api]:
    async with api_on_test_store(clock) as api:
        yield api


@pytest.fixture
async def live_wechat_api(clock: Clock, fake_wechat: FakeWeChat) -> AsyncIterator[Api]:
    """An app in live mode whose WeChat is the fake: login codes are the fake's to honour."""
    async with api_on_test_store(
        clock,
        wechat_mode="live",
        wechat_appid=FAKE_APPID,
        wechat_secret=FAKE_SECRET,
        wechat_api_base=fake_wechat.base_url,
    ) as api:
        yield api


@dataclass
class LiveServer:
    """The app served by uvicorn on a loopback port: real HTTP and WebSocket."""

    api: Api
    ws_url: str


@asynccontextmanager
async def serving(
    clock: Callable[[], datetime],
    *,
    redis_url: str | None = None,
    send_buffer_bytes: int | None = None,
    **overrides: Any,
) -> AsyncIterator[LiveServer]:
    """Serve the app on a loopback port, on the in-memory store or on a throwaway database of
    GROUPQL_TEST_MONGODB_URL (dropped afterwards), unless `mongodb_url` names a store (e.g.
    `memory://NAME`, shared by two instances). `send_buffer_bytes` makes its sockets' send
    buffers small (accepted sockets inherit it), so that a client that stops reading blocks
    sends."""
    test_mongodb_url = os.environ.get("GROUPQL_TEST_MONGODB_URL")
    throwaway_db = None
    if test_mongodb_url and "mongodb_url" not in overrides:
        throwaway_db = f"groupql_test_{uuid.uuid4().hex[:12]}"
        overrides.update(mongodb_url=test_mongodb_url, mongodb_db=throwaway_db)
    settings = settings_for_test(redis_url=redis_url, **overrides)
    round_trips = RoundTrips()
    app = create_app(settings, clock=clock, mongo_listeners=[round_trips, shapes.RECORDER])
    # Made for TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto is
    # IPPROTO_TCP, and accepted sockets inherit the listener's. Without it every response
    # waits ~40 ms for the client's delayed ACK (Nagle).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if send_buffer_bytes is not None:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer_bytes)
    listener.bind(("127.0.0.1", 0))
    # As `groupql serve` runs it.
    config = uvicorn.Config(app, log_level="warning", lifespan="on", **uvicorn_options(settings))
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            yield LiveServer(
                api=Api(http=http, settings=settings, round_trips=round_trips, app=app),
                ws_url=f"ws://127.0.0.1:{port}/graphql",
            )
    finally:
        server.should_exit = True
        await task
        if throwaway_db is not None:
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(test_mongodb_url)
            await client.drop_database(throwaway_db)
            await client.close()


@pytest.fixture
async def live(clock: Clock) -> AsyncIterator[LiveServer]:
    async with serving(clock) as server:
        yield server
