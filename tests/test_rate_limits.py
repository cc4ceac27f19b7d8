"""Rate limits: logins and token-less requests per client address, writes per user, subscribe
messages per socket; over a limit, RATE_LIMITED with retryAfter."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.actors import LOGIN, join
from tests.conftest import Api, Clock, LiveServer, api_on_test_store, serving
from tests.ws_client import TRANSPORT_WS, GraphQLSocket


@pytest.fixture
async def limited(clock: Clock) -> AsyncIterator[Api]:
    async with api_on_test_store(
        clock,
        rate_logins_per_min=3,
        rate_anonymous_per_min=6,
        rate_writes_per_min=4,
        trusted_proxies="127.0.0.1",
    ) as api:
        yield api


async def login(api: Api, code: str, **headers: str) -> dict[str, Any]:
    response = await api.http.post(
        "/graphql", json={"query": LOGIN, "variables": {"code": code}}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body


def limited_error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED", error
    assert error["extensions"]["retryAfter"] >= 1
    return dict(error)


async def test_a_client_address_gets_a_few_logins_a_minute(limited: Api) -> None:
    for n in range(3):
        assert "errors" not in await login(limited, f"user{n}")

    refused = limited_error(await login(limited, "user3"))

    assert refused["extensions"]["retryAfter"] <= 20  # one more login every 20 s
    assert "at most 3 a minute" in refused["message"]


async def test_forwarded_addresses_count_apart_only_behind_a_trusted_proxy(clock: Clock) -> None:
    async with api_on_test_store(clock, rate_logins_per_min=1, trusted_proxies="127.0.0.1") as api:
        assert "errors" not in await login(api, "a", **{"x-forwarded-for": "203.0.113.1"})
        assert "errors" not in await login(api, "b", **{"x-forwarded-for": "203.0.113.2"})
        limited_error(await login(api, "c", **{"x-forwarded-for": "203.0.113.1"}))
    async with api_on_test_store(clock, rate_logins_per_min=1, trusted_proxies="10.9.9.9") as api:
        # The test client (127.0.0.1) is no trusted proxy here: its X-Forwarded-For is a lie.
        assert "errors" not in await login(api, "a", **{"x-forwarded-for": "203.0.113.1"})
        limited_error(await login(api, "b", **{"x-forwarded-for": "203.0.113.2"}))


async def test_requests_without_a_token_are_limited_per_address_with_429(limited: Api) -> None:
    for _ in range(6):
        response = await limited.http.post("/graphql", json={"query": "{ __typename }"})
        assert response.status_code == 200

    response = await limited.http.post("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    limited_error(response.json())


async def test_a_user_who_writes_too_fast_is_slowed_and_others_are_not(clock: Clock) -> None:
    async with api_on_test_store(clock, rate_writes_per_min=4) as api:
        alice, bob = await join(api, "alice"), await join(api, "bob")  # a join is a write
        for n in range(3):
            await alice.say(f"post {n}")

        one_more = 'mutation($g: ID!) { postItem(input: {groupId: $g, text: "one"}) { id } }'
        refused = limited_error(await alice.send(one_more, g=alice.group_id))

        assert "write" in refused["message"]
        await bob.say("bob is fine")
        assert [item["text"] for item in await bob.feed()] == [
            "bob is fine", "post 2", "post 1", "post 0",
        ]  # fmt: skip


async def test_a_socket_that_floods_subscribe_messages_is_refused_per_message(
    clock: Clock,
) -> None:
    async with serving(clock, rate_subscribes_per_min=2) as live:
        await _flood(live)


async def _flood(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    socket = await GraphQLSocket.open(live.ws_url, TRANSPORT_WS)
    assert (await socket.init(alice.token))["type"] == "connection_ack"
    for _ in range(2):
        await socket.subscribe("subscription { myEvents { __typename } }")

    third = await socket.subscribe("subscription { myEvents { __typename } }")
    answer = await socket.receive()

    assert (answer["type"], answer["id"]) == ("error", third)
    assert answer["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    await socket.close()
