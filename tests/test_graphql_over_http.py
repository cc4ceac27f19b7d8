"""GraphQL over HTTP as its spec says: the graphql-http audit passes whole, and both response
media types answer as their clients expect."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from groupql.response_media import wants_graphql_response_json
from tests.actors import join
from tests.conftest import LiveServer
from tests.node_tools import NODE, interop_packages

NEW = "application/graphql-response+json"
PARSE_FAILURE = {"query": "{ viewer "}
VALIDATION_FAILURE = {"query": "{ noSuchField }"}
GROUP = "query($id: ID!) { group(id: $id) { id } }"
COERCION_FAILURE = {"query": GROUP, "variables": {"id": []}}


@pytest.fixture(scope="session")
def interop() -> Path:
    return interop_packages()  # outside any event loop


@pytest.fixture
def http(live: LiveServer) -> httpx.AsyncClient:
    return live.api.http


async def test_every_audit_of_graphql_http_passes_musts_shoulds_and_mays(
    live: LiveServer, interop: Path
) -> None:
    url = f"{str(live.api.http.base_url).rstrip('/')}/graphql"
    audit = await asyncio.create_subprocess_exec(
        NODE or "node", str(interop / "audit.mjs"), url, stdout=asyncio.subprocess.PIPE
    )
    stdout, _ = await asyncio.wait_for(audit.communicate(), 120)
    assert audit.returncode == 0
    results = [json.loads(line) for line in stdout.decode().splitlines()]
    assert len(results) > 50, stdout  # graphql-http 1.23 has 61 audits
    not_ok = [f"{one['name']}: {one['reason']}" for one in results if one["status"] != "ok"]
    assert not_ok == []


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        (None, False),
        ("application/json", False),
        ("*/*", False),
        (NEW, True),
        (f"{NEW}, application/json;q=0.9", True),
        (f"application/json, {NEW}", True),  # equal weight: the spec's type
        (f"{NEW};q=0.5, application/json", False),
        (f"{NEW};q=0", False),
        (f"{NEW};q=bogus, */*", False),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON ; q=1", True),
    ],
)
def test_the_response_type_follows_the_accept_header(accept: str | None, wanted: bool) -> None:
    assert wants_graphql_response_json(accept) is wanted


@pytest.mark.parametrize("failure", [PARSE_FAILURE, VALIDATION_FAILURE, COERCION_FAILURE])
async def test_a_request_error_is_a_400_without_data_in_the_new_type(
    http: httpx.AsyncClient, failure: dict[str, Any]
) -> None:
    response = await http.post("/graphql", json=failure, headers={"Accept": NEW})
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{NEW}; charset=utf-8"
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("failure", [PARSE_FAILURE, VALIDATION_FAILURE, COERCION_FAILURE])
async def test_a_legacy_client_gets_200_and_json_for_the_same_request_errors(
    http: httpx.AsyncClient, failure: dict[str, Any]
) -> None:
    response = await http.post("/graphql", json=failure)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert "data" not in body  # GraphQL's rule, whatever the media type
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_field_error_is_still_a_200_with_data_in_the_new_type(live: LiveServer) -> None:
    alice = await join(live.api, "alice")
    stranger = await join(live.api, "bob", "G-other")
    response = await live.api.http.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { group(id: $id) { id } }",
            "variables": {"id": alice.group_id},
        },
        headers={"Accept": NEW, "Authorization": f"Bearer {stranger.token}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert "data" in body and body["data"] is None  # executed: `group` is non-null
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_persisted_query_not_found_stays_200_for_apollo_clients(
    http: httpx.AsyncClient,
) -> None:
    # Apollo Client turns persisted queries off for good when this comes with a 400.
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}
    response = await http.post("/graphql", json={"extensions": extensions}, headers={"Accept": NEW})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{NEW}; charset=utf-8"
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize("operation_name", [{"name": "A"}, ["A"], 7, True])
@pytest.mark.parametrize("accept", [None, NEW])
async def test_an_operation_name_that_is_not_a_string_is_a_400_not_a_crash(
    http: httpx.AsyncClient, operation_name: object, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    body = {"query": "query A { __typename }", "operationName": operation_name}
    response = await http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "operationName" in error["message"]


async def test_refusals_before_graphql_keep_their_status_in_the_new_type(
    http: httpx.AsyncClient,
) -> None:
    not_json = await http.post(
        "/graphql",
        content=b"{not json",
        headers={"Accept": NEW, "Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
    assert not_json.headers["content-type"] == f"{NEW}; charset=utf-8"
    assert not_json.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
