"""The HTTP app: health probes, and the GraphQL error shape for requests that go wrong."""

from collections.abc import AsyncIterator
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from graphql import get_introspection_query
from starlette.applications import Starlette

from groupql.app import create_app
from groupql.store import connect
from tests.actors import login
from tests.conftest import Api, Clock, RoundTrips, api_on_test_store, settings_for_test

MY_GROUPS = "{ myGroups { edges { node { id } } } }"


def bad_user_input_messages(body: dict[str, Any]) -> list[str]:
    """The messages of a response that must fail only with BAD_USER_INPUT."""
    errors = body.get("errors")
    assert errors, body
    codes = [error.get("extensions", {}).get("code") for error in errors]
    assert codes == ["BAD_USER_INPUT"] * len(errors), errors
    return [error["message"] for error in errors]


@pytest.fixture
async def app(clock: Clock) -> AsyncIterator[Starlette]:
    app = create_app(settings_for_test(), clock=clock)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def api_of(app: Starlette) -> AsyncIterator[Api]:
    """A client of `app`, for tests that reach into the app's services."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://groupql.test") as http:
        yield Api(http=http, settings=settings_for_test(), round_trips=RoundTrips(), app=app)


async def test_healthz_says_the_process_is_up(api: Api) -> None:
    response = await api.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_says_ready_when_the_store_answers(api: Api) -> None:
    response = await api.http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_a_body_that_is_not_json_is_answered_in_graphql_error_shape(api: Api) -> None:
    response = await api.http.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": ANY, "extensions": {"code": "BAD_USER_INPUT"}}]
    }
    assert response.json()["errors"][0]["message"]


async def test_a_json_body_without_a_query_is_bad_user_input(api: Api) -> None:
    response = await api.http.post("/graphql", json={"variables": {}})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": ANY, "extensions": {"code": "BAD_USER_INPUT"}}]
    }


async def test_a_query_with_a_syntax_error_is_bad_user_input(api: Api) -> None:
    body = await api.post("query {")
    assert "Syntax Error" in bad_user_input_messages(body)[0]


async def test_a_query_of_an_unknown_field_is_bad_user_input(api: Api) -> None:
    body = await api.post("{ nope }")
    assert "nope" in bad_user_input_messages(body)[0]


async def test_graphiqls_own_introspection_query_answers_whole(api: Api) -> None:
    # GraphiQL 3 asks this (ofType nine levels deep) before it shows the docs or completes.
    query = get_introspection_query(input_value_deprecation=True)
    body = await api.post(query)
    assert "errors" not in body, body["errors"]
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_cycles_past_graphqls_own_bound_are_refused(api: Api) -> None:
    fields = "fields { type { fields { type { fields { type { fields { name } } } } } } }"
    body = await api.post(f"{{ __schema {{ types {{ {fields} }} }} }}")
    assert "data" not in body
    assert "Maximum introspection depth exceeded" in bad_user_input_messages(body)[0]


async def test_a_query_nested_deeper_than_the_limit_is_refused_before_it_runs(api: Api) -> None:
    # The schema has no cycles, so no valid query is deeper than 12: the deep tail below is not
    # in the schema, and the limiter must still say what is wrong with its depth.
    query = """
    { myGroups { edges { node { members { edges { node { user {
      a { b { c { d { e { f { g } } } } } }
    } } } } } } } }
    """
    for _ in range(2):  # the second time, validation comes from the cache: still refused
        body = await api.post(query)
        messages = bad_user_input_messages(body)
        assert any("exceeds maximum operation depth of 12" in message for message in messages)
        assert "data" not in body  # nothing ran: GraphQL leaves `data` out


async def test_an_unexpected_failure_is_internal_and_tells_nothing_of_its_cause(
    app: Starlette, api_of: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    alice = await login(api_of, "alice")
    monkeypatch.setattr(app.state.services.groups, "my_groups", broken)
    body = await alice.send(MY_GROUPS)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert body["errors"][0]["message"]
    assert "secret internals" not in str(body)
    assert "RuntimeError" not in str(body)


async def test_a_request_body_over_the_limit_is_refused_with_413(clock: Clock) -> None:
    async with api_on_test_store(clock, max_request_bytes=1000) as api:
        padded = {"query": "{ __typename }", "padding": "x" * 2000}
        response = await api.http.post("/graphql", json=padded)
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

        async def chunked_body() -> AsyncIterator[bytes]:
            yield b'{"query": "{ __typename }", "padding": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        response = await api.http.post(
            "/graphql", content=chunked_body(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
        assert (await api.data("{ __typename }")) == {"__typename": "Query"}


async def test_readyz_says_unavailable_when_the_store_stops_answering(app: Starlette) -> None:
    # The store goes away after start-up: swap in a MongoDB on loopback port 1, where nothing
    # listens, so the ping fails fast.
    closed = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200&connectTimeoutMS=200"
    running = app.state.running
    answering, running.database = running.database, connect(closed, "groupql")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://groupql.test") as http:
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "reason": "the database does not answer",
        }
        assert (await http.get("/healthz")).status_code == 200
    await running.database.close()
    running.database = answering


async def test_a_variable_of_the_wrong_type_is_bad_user_input(api: Api) -> None:
    alice = await login(api, "alice")
    query = "query($first: Int) { myGroups(first: $first) { edges { cursor } } }"
    body = await alice.send(query, first="abc")
    assert "Int cannot represent" in bad_user_input_messages(body)[0]
