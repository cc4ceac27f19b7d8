"""A database that is down, electing or too slow: every request answers UNAVAILABLE ("retry
shortly") at once, reveals nothing, leaves nothing half-written, and succeeds once it is back.
The driver's own exceptions are raised by the in-memory engine (tests/fakes/faults.py)."""

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import httpx
import pytest
from pymongo.errors import DuplicateKeyError, OperationFailure, WriteError

from tests.actors import LOGIN, Member, join, join_in_order
from tests.conftest import Api, Clock, running_api, settings_for_test
from tests.fakes.faults import OUTAGES, SECRET, ErrorFactory, StoreFaults
from tests.items.documents import FEED, POST
from tests.members.documents import MEMBERS

REQUEST_DEADLINE_S = 10.0
"""A request that takes longer hangs: the faults fail at once, so this bounds a loaded machine."""

# Failures that are bugs or refusals, not outages: masked as INTERNAL, logged as errors.
BUGS: dict[str, ErrorFactory] = {
    "duplicate key": lambda: DuplicateKeyError(
        "E11000 duplicate key error collection: groupql.items index: groupId_1_seq_1", 11000
    ),
    "bad value": lambda: OperationFailure("$in needs an array", 2, {"ok": 0, "code": 2}),
    "type mismatch": lambda: WriteError("Cannot apply $inc to a value of non-numeric type", 14),
    "a bug of ours": lambda: RuntimeError(f"unexpected state near {SECRET}"),
}
LEAKS = ("Traceback", "hunter2", "db-0.internal", "errmsg", "pymongo", "E11000", 'File "')


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> StoreFaults:
    return StoreFaults.installed(monkeypatch)


@pytest.fixture
async def api(clock: Clock) -> AsyncIterator[Api]:
    """Always on the in-memory store, even with GROUPQL_TEST_MONGODB_URL: faults live there."""
    async with running_api(settings_for_test(), clock) as api:
        yield api


async def answer(user: Member, query: str, **variables: Any) -> httpx.Response:
    """The raw HTTP response to `query` sent as `user`, which must come within the deadline."""
    return await asyncio.wait_for(
        user.api.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {user.token}"},
        ),
        REQUEST_DEADLINE_S,
    )


def feed_page(member: Member) -> dict[str, Any]:
    return {"id": member.group_id, "first": 20}


def post_text(member: Member, text: str) -> dict[str, Any]:
    return {"input": {"groupId": member.group_id, "text": text}}


def assert_refused_with(code: str, response: httpx.Response) -> None:
    """A GraphQL error with `code`, in the shape of every other refusal, that reveals nothing."""
    assert response.status_code == 200, response.text
    errors = response.json()["errors"]
    assert [error["extensions"] for error in errors] == [{"code": code}], errors
    for leak in LEAKS:
        assert leak not in response.text, response.text


def assert_unavailable(response: httpx.Response) -> None:
    assert_refused_with("UNAVAILABLE", response)
    assert "retry shortly" in response.json()["errors"][0]["message"]


def assert_logged_as_outages(caplog: pytest.LogCaptureFixture) -> None:
    """A warning each, without a traceback: an outage is not a bug to page anyone about."""
    ours = [record for record in caplog.records if record.name.startswith("groupql")]
    assert any(
        record.levelno == logging.WARNING and "did not answer" in record.getMessage()
        for record in ours
    ), [record.getMessage() for record in ours]
    assert [record for record in ours if record.levelno >= logging.ERROR] == []
    assert [record for record in ours if record.exc_info] == []


@pytest.mark.parametrize("outage", OUTAGES.values(), ids=OUTAGES.keys())
async def test_an_outage_answers_unavailable_and_the_same_requests_succeed_after_it(
    api: Api, faults: StoreFaults, caplog: pytest.LogCaptureFixture, outage: ErrorFactory
) -> None:
    alice = await join(api, "alice")
    await alice.say("before")

    faults.fail(outage, collection="items")
    assert_unavailable(await answer(alice, FEED, **feed_page(alice)))
    assert_unavailable(await answer(alice, POST, **post_text(alice, "during")))
    assert faults.raised >= 2
    assert_logged_as_outages(caplog)

    faults.clear()
    retried = await answer(alice, POST, **post_text(alice, "during"))
    assert retried.json()["data"]["postItem"]["seq"] == 2
    feed = await answer(alice, FEED, **feed_page(alice))
    texts = [edge["node"]["text"] for edge in feed.json()["data"]["group"]["items"]["edges"]]
    assert texts == ["during", "before"]


@pytest.mark.parametrize("outage", OUTAGES.values(), ids=OUTAGES.keys())
async def test_a_post_whose_insert_fails_leaves_no_item_and_no_hole_in_seq(
    api: Api, faults: StoreFaults, outage: ErrorFactory
) -> None:
    alice = await join(api, "alice")
    await alice.say("one")

    faults.fail(outage, command="insert", collection="items", times=1)
    assert_unavailable(await answer(alice, POST, **post_text(alice, "lost")))
    assert faults.raised == 1

    await alice.say("two")
    assert [(item["seq"], item["text"]) for item in await alice.feed()] == [(2, "two"), (1, "one")]


async def test_a_post_that_reached_the_primary_but_not_a_majority_is_posted_once_on_retry(
    api: Api, faults: StoreFaults
) -> None:
    alice = await join(api, "alice")
    faults.fail(
        OUTAGES["write concern not satisfied"],
        command="insert",
        collection="items",
        times=1,
        after_applying=True,
    )
    first = await answer(
        alice, POST, input={"groupId": alice.group_id, "text": "hi", "clientId": "c-1"}
    )
    assert_unavailable(first)

    retried = await alice.say("hi", clientId="c-1")
    after = await alice.say("next")

    assert [item["id"] for item in await alice.feed()] == [after["id"], retried["id"]]
    assert (retried["seq"], after["seq"]) == (1, 2)


async def test_a_failover_blip_fails_one_request_and_its_retry_succeeds(
    api: Api, faults: StoreFaults
) -> None:
    alice = await join(api, "alice")
    faults.fail(OUTAGES["not primary"], times=1)

    assert_unavailable(await answer(alice, POST, **post_text(alice, "hello")))
    assert (await alice.say("hello"))["seq"] == 1


async def test_with_the_whole_store_down_logging_in_and_tokens_answer_unavailable(
    api: Api, faults: StoreFaults, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await join(api, "alice")
    faults.fail(OUTAGES["server selection timeout"])

    login = await asyncio.wait_for(
        api.http.post("/graphql", json={"query": LOGIN, "variables": {"code": "bob"}}),
        REQUEST_DEADLINE_S,
    )
    assert_unavailable(login)
    # The token cannot be checked: not UNAUTHENTICATED, which would send the user to log in.
    assert_unavailable(await answer(alice, FEED, **feed_page(alice)))
    assert_logged_as_outages(caplog)

    faults.clear()
    assert await alice.feed() == []


async def test_readyz_says_503_while_the_store_is_down_and_ready_once_it_answers(
    api: Api, faults: StoreFaults
) -> None:
    faults.fail(OUTAGES["server selection timeout"])

    response = await asyncio.wait_for(api.http.get("/readyz"), REQUEST_DEADLINE_S)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "the database does not answer"}
    assert (await api.http.get("/healthz")).status_code == 200

    faults.clear()
    assert (await api.http.get("/readyz")).json() == {"status": "ready"}


@pytest.mark.parametrize("bug", BUGS.values(), ids=BUGS.keys())
async def test_a_bug_is_internal_and_logged_as_an_error_not_unavailable(
    api: Api, faults: StoreFaults, caplog: pytest.LogCaptureFixture, bug: ErrorFactory
) -> None:
    alice = await join(api, "alice")
    faults.fail(bug, collection="items")

    assert_refused_with("INTERNAL", await answer(alice, FEED, **feed_page(alice)))
    assert_refused_with("INTERNAL", await answer(alice, POST, **post_text(alice, "hi")))
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert all(record.exc_info for record in errors)


async def test_waves_of_requests_during_an_outage_all_answer_unavailable_and_none_hangs(
    api: Api, faults: StoreFaults
) -> None:
    members = await join_in_order(api, "alice", "bob", "carol", "dave")

    def wave(n: int) -> list[Coroutine[Any, Any, httpx.Response]]:
        return [
            request
            for member in members
            for request in (
                answer(member, POST, **post_text(member, f"wave {n}")),
                answer(member, FEED, **feed_page(member)),
                answer(member, MEMBERS, id=member.group_id),
            )
        ]

    for n, outage in enumerate(OUTAGES.values()):
        # Every operation fails, or only those on memberships (which each request reads).
        faults.fail(outage, collection="members" if n % 2 else None)
        for response in await asyncio.gather(*wave(n)):
            assert_unavailable(response)
        faults.clear()

    posted = await asyncio.gather(*(member.say("after") for member in members))
    assert sorted(item["seq"] for item in posted) == [1, 2, 3, 4]
    assert len(await members[0].feed()) == 4
