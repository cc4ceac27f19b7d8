"""Persisted queries as Apollo's clients use them (a hash in place of the query, over POST and
GET), and trusted documents: an app given a manifest runs only the operations it lists."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from groupql.config import Settings
from groupql.documents import manifest_json, manifest_of, sha256_of
from groupql.schema.persisted import PersistedDocuments
from tests.actors import JOIN, LOGIN, create_group, join, login
from tests.conftest import Api, Clock, api_on_test_store, serving
from tests.groups.documents import CREATE_GROUP
from tests.items.documents import POST
from tests.live.feeds import FEED, MY_EVENTS
from tests.test_cli import REFUSAL_DEADLINE_S, clean_env, free_port, groupql
from tests.ws_client import TRANSPORT_WS, GraphQLSocket

GROUP = "query Group($id: ID!) { group(id: $id) { title memberCount } }"
VIEWER = "query Viewer { viewer { id } }"
# Apollo's documentation hashes this document to this SHA-256.
APOLLO_EXAMPLE = (
    "{__typename}",
    "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38",
)
UNKNOWN_HASH = "0" * 64
NOT_FOUND = {
    "message": "PersistedQueryNotFound",
    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
}


def persisted(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


async def send(
    api: Api,
    *,
    query: str | None = None,
    sha256: str | None = None,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    method: str = "POST",
) -> dict[str, Any]:
    """A request as Apollo's persisted-query link sends it: the hash in `extensions`, the query
    only when told to (as a JSON body, or as GET parameters with JSON values)."""
    request: dict[str, Any] = {"variables": variables or {}}
    if query is not None:
        request["query"] = query
    if sha256 is not None:
        request["extensions"] = persisted(sha256)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        params = {
            key: value if key == "query" else json.dumps(value) for key, value in request.items()
        }
        response = await api.http.get("/graphql", params=params, headers=headers)
    else:
        response = await api.http.post("/graphql", json=request, headers=headers)
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    body["status"] = response.status_code
    return body


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    return {"message": error["message"], "extensions": error["extensions"]}


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_query_runs_by_its_hash_alone_once_sent_with_it(api: Api, method: str) -> None:
    alice = await create_group(api, "alice", "Hiking club")
    asked = {"variables": {"id": alice.group_id}, "token": alice.token, "method": method}

    missed = await send(api, sha256=sha256_of(GROUP), **asked)
    registered = await send(api, query=GROUP, sha256=sha256_of(GROUP), **asked)
    hit = await send(api, sha256=sha256_of(GROUP), **asked)

    # Apollo's clients read a 200 with this error as "send the query too", and do.
    assert (missed["status"], "data" in missed, error_of(missed)) == (200, False, NOT_FOUND)
    group = {"group": {"title": "Hiking club", "memberCount": 1}}
    assert (registered["status"], registered["data"]) == (200, group)
    assert (hit["status"], hit["data"]) == (200, group)


async def test_hashes_are_the_sha256_apollo_clients_compute(api: Api) -> None:
    query, sha256 = APOLLO_EXAMPLE
    assert sha256_of(query) == sha256

    await send(api, query=query, sha256=sha256)

    assert (await send(api, sha256=sha256))["data"] == {"__typename": "Query"}


async def test_a_hash_that_is_not_the_querys_is_refused_and_stores_nothing(api: Api) -> None:
    alice = await login(api, "alice")

    refused = await send(api, query=VIEWER, sha256=sha256_of(GROUP), token=alice.token)

    assert error_of(refused) == {
        "message": "provided sha does not match query",
        "extensions": {"code": "BAD_USER_INPUT"},
    }
    assert error_of(await send(api, sha256=sha256_of(GROUP))) == NOT_FOUND
    assert error_of(await send(api, sha256=sha256_of(VIEWER))) == NOT_FOUND


async def test_a_query_that_does_not_validate_is_not_stored(api: Api) -> None:
    query = "{ viewer { shoeSize } }"

    refused = await send(api, query=query, sha256=sha256_of(query))

    assert error_of(refused)["extensions"]["code"] == "BAD_USER_INPUT"
    assert error_of(await send(api, sha256=sha256_of(query))) == NOT_FOUND


async def test_a_stored_mutation_does_not_run_over_get(api: Api) -> None:
    await send(api, query=LOGIN, sha256=sha256_of(LOGIN), variables={"code": "alice"})

    over_get = await send(api, sha256=sha256_of(LOGIN), variables={"code": "alice"}, method="GET")

    assert over_get["status"] == 400
    assert error_of(over_get)["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "extension",
    [
        {"version": 2, "sha256Hash": UNKNOWN_HASH},
        {"version": 1, "sha256Hash": "abc"},
        {"version": 1},
        "ecf4",
    ],
    ids=["version 2", "short hash", "no hash", "not an object"],
)
async def test_a_malformed_persisted_query_is_refused(api: Api, extension: Any) -> None:
    response = await api.http.post(
        "/graphql", json={"query": "{__typename}", "extensions": {"persistedQuery": extension}}
    )

    assert error_of(response.json())["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_browser_still_opens_graphiql_but_a_hashed_get_is_graphql(api: Api) -> None:
    browser = await api.http.get("/graphql", headers={"Accept": "text/html"})
    hashed = await api.http.get(
        "/graphql", params={"extensions": json.dumps(persisted(UNKNOWN_HASH))}
    )

    assert browser.headers["content-type"].startswith("text/html")
    assert error_of(hashed.json()) == NOT_FOUND


async def test_every_app_has_its_own_store_of_persisted_queries(clock: Clock) -> None:
    async with api_on_test_store(clock) as first, api_on_test_store(clock) as second:
        await send(first, query=GROUP, sha256=sha256_of(GROUP), variables={"id": "g"})

        # A client that reaches another instance is told once, and sends the query again.
        assert error_of(await send(second, sha256=sha256_of(GROUP))) == NOT_FOUND


def test_the_store_forgets_the_least_recently_used_documents_beyond_its_bounds() -> None:
    a, b, c = "{ a }", "{ b }", "{ c }"
    documents = PersistedDocuments(max_documents=2)
    documents.store(sha256_of(a), a)
    documents.store(sha256_of(b), b)
    assert documents.find(sha256_of(a)) == a
    documents.store(sha256_of(c), c)

    assert [documents.find(sha256_of(query)) for query in (a, b, c)] == [a, None, c]

    by_size = PersistedDocuments(max_chars=12)
    for query in (a, b, c):
        by_size.store(sha256_of(query), query)
    assert [by_size.find(sha256_of(query)) for query in (a, b, c)] == [None, b, c]


# Trusted documents


def manifest_file(directory: Path, *documents: str) -> Path:
    path = directory / "trusted-documents.json"
    path.write_text(manifest_json(manifest_of(documents)))
    return path


@pytest.fixture
async def trusted_api(clock: Clock, tmp_path: Path) -> AsyncIterator[Api]:
    manifest = manifest_file(tmp_path, LOGIN, CREATE_GROUP, GROUP)
    async with api_on_test_store(clock, trusted_documents=manifest) as api:
        yield api


async def test_trusted_documents_run_by_hash_or_in_full(trusted_api: Api) -> None:
    alice = await create_group(trusted_api, "alice", "Hiking club")
    asked = {"variables": {"id": alice.group_id}, "token": alice.token}

    by_hash = await send(trusted_api, sha256=sha256_of(GROUP), **asked)
    in_full = await send(trusted_api, query=GROUP, **asked)
    with_hash = await send(trusted_api, query=GROUP, sha256=sha256_of(GROUP), **asked)

    group = {"group": {"title": "Hiking club", "memberCount": 1}}
    assert by_hash["data"] == in_full["data"] == with_hash["data"] == group


async def test_an_unlisted_query_is_refused_even_with_its_hash(trusted_api: Api) -> None:
    alice = await login(trusted_api, "alice")

    free_form = await send(trusted_api, query=VIEWER, token=alice.token)
    registering = await send(trusted_api, query=VIEWER, sha256=sha256_of(VIEWER), token=alice.token)

    for refused in (free_form, registering):
        assert "data" not in refused  # nothing ran: GraphQL leaves `data` out
        assert error_of(refused)["extensions"]["code"] == "BAD_USER_INPUT"
        assert error_of(refused)["message"].startswith("Only trusted documents run here")
    assert error_of(await send(trusted_api, sha256=sha256_of(VIEWER))) == NOT_FOUND


async def test_an_unknown_hash_is_not_found_in_trusted_mode(trusted_api: Api) -> None:
    assert error_of(await send(trusted_api, sha256=UNKNOWN_HASH)) == NOT_FOUND
    assert error_of(await send(trusted_api, sha256=UNKNOWN_HASH, method="GET")) == NOT_FOUND


INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.mark.parametrize(
    ("mode", "is_open"),
    [({"wechat_mode": "dev"}, True), ({"wechat_mode": "live", "wechat_secret": "s"}, False)],
    ids=["dev", "live"],
)
async def test_introspection_stays_open_with_trusted_documents_in_dev_mode_only(
    clock: Clock, tmp_path: Path, mode: dict[str, str], is_open: bool
) -> None:
    manifest = manifest_file(tmp_path, GROUP)
    async with api_on_test_store(clock, trusted_documents=manifest, **mode) as api:
        introspection = await send(api, query=INTROSPECTION)
        mixed = await send(api, query="{ __typename viewer { id } }")

    if is_open:
        assert introspection["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    else:
        assert error_of(introspection)["extensions"]["code"] == "BAD_USER_INPUT"
    assert error_of(mixed)["message"].startswith("Only trusted documents run here")


async def test_a_subscription_runs_over_a_socket_only_when_listed(
    clock: Clock, tmp_path: Path
) -> None:
    manifest = manifest_file(tmp_path, LOGIN, JOIN, POST, FEED)
    async with serving(clock, trusted_documents=manifest) as live:
        alice = await join(live.api, "alice")
        await alice.say("hello")
        socket = await GraphQLSocket.open(live.ws_url, TRANSPORT_WS)
        assert (await socket.init(alice.token))["type"] == "connection_ack"

        await socket.subscribe(MY_EVENTS)
        refused = await socket.receive()
        await socket.subscribe(FEED, {"groupId": alice.group_id, "afterSeq": 0})
        listed = await socket.data()
        await socket.close()

    assert refused["type"] == "error"
    [error] = refused["payload"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("Only trusted documents run here")
    assert listed["groupFeed"]["item"]["text"] == "hello"


def test_settings_refuse_a_manifest_whose_hash_is_not_its_documents(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({sha256_of(GROUP): VIEWER}))

    with pytest.raises(ValueError, match="is not the SHA-256 of its document"):
        Settings(trusted_documents=manifest)


@pytest.mark.parametrize(
    "content",
    [json.dumps({UNKNOWN_HASH: GROUP}), "{not json", "{}", None],
    ids=["wrong hash", "not JSON", "empty", "missing"],
)
def test_serve_refuses_a_bad_manifest_with_one_line_naming_the_variable(
    tmp_path: Path, content: str | None
) -> None:
    manifest = tmp_path / "manifest.json"
    if content is not None:
        manifest.write_text(content)

    result = groupql(
        "serve",
        "--port",
        str(free_port()),
        env=clean_env(GROUPQL_TRUSTED_DOCUMENTS=str(manifest)),
        timeout_s=REFUSAL_DEADLINE_S,
    )

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("groupql: GROUPQL_TRUSTED_DOCUMENTS: "), lines


# groupql documents build

OPERATIONS = {
    "login.graphql": LOGIN + "\n",
    "groups/create.graphql": CREATE_GROUP,
    "groups/group.graphql": GROUP + "\n",
}


def client_operations(directory: Path, files: dict[str, str]) -> Path:
    for name, document in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(document)
    return directory


async def test_documents_build_makes_the_manifest_a_trusted_app_runs(
    clock: Clock, tmp_path: Path
) -> None:
    operations = client_operations(tmp_path / "operations", OPERATIONS)
    manifest = tmp_path / "trusted-documents.json"

    written = groupql(
        "documents", "build", str(operations), "--out", str(manifest), env=clean_env()
    )
    printed = groupql(
        "documents",
        "build",
        *(str(operations / name) for name in reversed(OPERATIONS)),
        env=clean_env(),
    )

    assert written.returncode == 0, written.stderr
    assert written.stdout == f"3 documents written to {manifest}\n"
    assert printed.stdout == manifest.read_text()
    built = json.loads(manifest.read_text())
    assert built == {sha256_of(document): document for document in OPERATIONS.values()}
    assert list(built) == sorted(built)

    async with api_on_test_store(clock, trusted_documents=manifest) as api:
        logged_in = await send(api, sha256=sha256_of(LOGIN + "\n"), variables={"code": "alice"})
        unlisted = await send(api, query=LOGIN, variables={"code": "alice"})
    assert logged_in["data"]["login"]["token"]
    assert error_of(unlisted)["message"].startswith("Only trusted documents run here")


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ("query { viewer { shoeSize } }", "Cannot query field 'shoeSize' on type 'Viewer'"),
        ("query { viewer { id }", "Syntax Error"),
        ("{ " + " ".join(f"v{n}: viewer {{ id }}" for n in range(21)) + " }", "root fields"),
    ],
    ids=["unknown field", "syntax", "over a limit"],
)
def test_documents_build_refuses_an_operation_the_server_would_refuse(
    tmp_path: Path, document: str, named: str
) -> None:
    operations = client_operations(tmp_path, {"good.graphql": GROUP, "bad.graphql": document})
    manifest = tmp_path / "manifest.json"

    result = groupql("documents", "build", str(operations), "--out", str(manifest), env=clean_env())

    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"groupql: {operations / 'bad.graphql'}: "), line
    assert named in line
    assert not manifest.exists()


def test_documents_build_needs_a_graphql_file(tmp_path: Path) -> None:
    result = groupql("documents", "build", str(tmp_path), env=clean_env())

    assert result.returncode != 0
    assert result.stderr.strip() == f"groupql: no .graphql files in {tmp_path}"
