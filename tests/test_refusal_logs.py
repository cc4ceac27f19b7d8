"""Each refused request is logged once, briefly: the code, the client's address, the user when
known, the reason; never a traceback, never the token."""

import logging

import pytest

from tests.actors import LOGIN, join
from tests.conftest import Api, Clock, api_on_test_store

REFUSALS = "groupql.refusals"


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == REFUSALS]


async def test_a_body_that_is_not_an_object_is_logged_once_with_the_address(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REFUSALS)

    await api.http.post("/graphql", content=b"123", headers={"content-type": "application/json"})

    assert refusals(caplog) == [
        'refused BAD_USER_INPUT from 127.0.0.1: The JSON must be an object, like {"query": "..."}.'
    ]
    assert not any(record.exc_info for record in caplog.records)


async def test_a_members_refused_query_names_them_and_never_their_token(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await join(api, "alice")
    caplog.set_level(logging.INFO, logger=REFUSALS)

    await alice.send('{ viewer { id } group(id: "nope") { id } }')

    [line] = refusals(caplog)
    assert line.startswith(f"refused NOT_FOUND from 127.0.0.1 (user {alice.user_id}): ")
    assert alice.token not in caplog.text


async def test_a_rate_limited_login_is_logged_with_its_reason(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REFUSALS)
    async with api_on_test_store(clock, rate_logins_per_min=1) as api:
        await api.post(LOGIN, {"code": "a"})
        await api.post(LOGIN, {"code": "b"})

    [line] = refusals(caplog)
    assert line.startswith("refused RATE_LIMITED from 127.0.0.1: Too many logins")
