"""A MongoDB that accepts connections and never answers, behind GROUPQL_MONGODB_URL: the app
starts anyway, says it is alive but not ready, and answers UNAVAILABLE within the operation
timeout the URL sets. It never hangs and never answers INTERNAL."""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.actors import LOGIN
from tests.conftest import TEST_SECRET_KEY, Api, Clock, running_api, settings_for_test
from tests.fakes.silent_mongodb import SilentMongoDB
from tests.test_cli import START_UP_DEADLINE_S, clean_env, free_port, groupql_command

# The URL's options win over the app's defaults (15 s): pymongo gives up on server selection and
# on the whole operation within 0.8 s.
TIMEOUTS = {"timeoutMS": 800, "serverSelectionTimeoutMS": 800, "connectTimeoutMS": 500}
ANSWER_DEADLINE_S = 10.0
"""Generous for a loaded 2-core machine: this checks that nothing hangs, not speed."""
SERVE_START_UP_DEADLINE_S = 2 * START_UP_DEADLINE_S
"""`groupql serve` waits for the database twice before it listens, up to 5 s each time: once to
check the indexes before uvicorn starts, and again in the app's lifespan."""
VIEWER = "{ viewer { id } }"


@pytest.fixture
async def silent() -> AsyncIterator[SilentMongoDB]:
    async with SilentMongoDB() as silent:
        yield silent


async def timed_post(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
) -> httpx.Response:
    """The answer to a GraphQL request, which must come within ANSWER_DEADLINE_S."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return await asyncio.wait_for(request, ANSWER_DEADLINE_S)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    errors = response.json()["errors"]
    assert [error["extensions"] for error in errors] == [{"code": "UNAVAILABLE"}], errors


async def assert_alive_but_not_ready(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).status_code == 200
    ready = await asyncio.wait_for(http.get("/readyz"), ANSWER_DEADLINE_S)
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": "the database does not answer"}


async def assert_requests_answer_unavailable(http: httpx.AsyncClient) -> None:
    """Logging in, and requests with a token (which cannot be checked: UNAVAILABLE, not
    UNAUTHENTICATED), several at once."""
    logins = [timed_post(http, LOGIN, {"code": f"user-{n}"}) for n in range(3)]
    with_token = [timed_post(http, VIEWER, token=f"token-{n}") for n in range(2)]
    for response in await asyncio.gather(*logins, *with_token):
        assert_unavailable(response)


@pytest.fixture
async def api(silent: SilentMongoDB, clock: Clock) -> AsyncIterator[Api]:
    """create_app and its lifespan on the silent server, started within a bound."""
    settings = settings_for_test(mongodb_url=silent.url(**TIMEOUTS))
    running = running_api(settings, clock)
    api = await asyncio.wait_for(running.__aenter__(), START_UP_DEADLINE_S)
    try:
        yield api
    finally:
        await asyncio.wait_for(running.__aexit__(None, None, None), START_UP_DEADLINE_S)


async def test_the_app_starts_and_answers_unavailable_while_the_database_hangs(
    api: Api, silent: SilentMongoDB, caplog: pytest.LogCaptureFixture
) -> None:
    assert silent.accepted >= 1  # the driver did reach it: the hang is the server's
    started = caplog.get_records("setup")
    assert any("did not answer at start-up" in record.getMessage() for record in started)
    await assert_alive_but_not_ready(api.http)
    await assert_requests_answer_unavailable(api.http)


async def test_groupql_serve_starts_and_answers_unavailable_while_the_database_hangs(
    silent: SilentMongoDB, tmp_path: Path
) -> None:
    env = clean_env(GROUPQL_SECRET_KEY=TEST_SECRET_KEY, GROUPQL_MONGODB_URL=silent.url(**TIMEOUTS))
    port = free_port()
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            groupql_command(), "serve", "--port", str(port), env=env, stdout=stderr, stderr=stderr
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            await until_healthy(http, process, stderr_path)
            await assert_alive_but_not_ready(http)
            await assert_requests_answer_unavailable(http)
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()
    assert "Traceback" not in await asyncio.to_thread(stderr_path.read_text)


async def until_healthy(
    http: httpx.AsyncClient, process: asyncio.subprocess.Process, stderr_path: Path
) -> None:
    deadline = time.monotonic() + SERVE_START_UP_DEADLINE_S
    while time.monotonic() < deadline:
        if process.returncode is not None:
            stderr = await asyncio.to_thread(stderr_path.read_text)
            pytest.fail(f"groupql serve exited with {process.returncode}: {stderr}")
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    stderr = await asyncio.to_thread(stderr_path.read_text)
    pytest.fail(f"groupql serve was not healthy within {SERVE_START_UP_DEADLINE_S}s: {stderr}")
