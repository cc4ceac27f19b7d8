"""The `groupql` command, run as a user runs it: a real process, real HTTP."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_SECRET_KEY

START_UP_DEADLINE_S = 15.0
REFUSAL_DEADLINE_S = 10.0
LIVE_CREDENTIALS = {
    "GROUPQL_WECHAT_MODE": "live",
    "GROUPQL_WECHAT_APPID": "wxlivetest0000001",
    "GROUPQL_WECHAT_SECRET": "live-test-secret",
    "GROUPQL_SECRET_KEY": TEST_SECRET_KEY,
    "GROUPQL_MONGODB_URL": "memory://",
}


def groupql_command() -> str:
    beside_python = Path(sys.executable).parent / "groupql"
    found = str(beside_python) if beside_python.exists() else shutil.which("groupql")
    assert found, "the groupql console script is not installed: pip install -e ."
    return found


def clean_env(**variables: str) -> dict[str, str]:
    """This process's environment without any GROUPQL_* setting, plus `variables`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GROUPQL_")}
    env.update(variables)
    return env


def groupql(
    *args: str, env: dict[str, str], timeout_s: float = 30.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [groupql_command(), *args], env=env, capture_output=True, text=True, timeout=timeout_s
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    http: httpx.Client
    env: dict[str, str]
    stderr_path: Path

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """The data of a GraphQL operation that must succeed."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


def wait_until_healthy(
    process: subprocess.Popen[bytes], http: httpx.Client, stderr_path: Path
) -> None:
    deadline = time.monotonic() + START_UP_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"groupql serve exited with {process.returncode}: {stderr_path.read_text()}"
            )
        try:
            if http.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    pytest.fail(
        f"groupql serve was not healthy within {START_UP_DEADLINE_S}s: {stderr_path.read_text()}"
    )


@contextmanager
def serving(args: list[str], env: dict[str, str], stderr_path: Path) -> Iterator[httpx.Client]:
    """`groupql serve ARGS` on a free port, healthy, its stderr in `stderr_path`; stopped after."""
    port = free_port()
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [groupql_command(), "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5.0) as http:
            wait_until_healthy(process, http, stderr_path)
            yield http
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`groupql serve` on embedded defaults, with a fixed secret key so tokens stay valid."""
    env = clean_env(GROUPQL_SECRET_KEY=TEST_SECRET_KEY)
    stderr_path = tmp_path_factory.mktemp("serve") / "stderr.log"
    with serving([], env, stderr_path) as http:
        yield Server(http=http, env=env, stderr_path=stderr_path)


def test_schema_prints_the_sdl_clients_code_against() -> None:
    result = groupql("schema", env=clean_env())
    assert result.returncode == 0, result.stderr
    assert "type Query" in result.stdout
    assert "resolveShareTicket(encryptedData: String!, iv: String!)" in result.stdout
    assert "openGId" in result.stdout


def test_serve_with_no_configuration_says_it_runs_on_embedded_defaults(server: Server) -> None:
    lines = server.stderr_path.read_text().splitlines()
    starting = [line for line in lines if "groupql starting" in line]
    assert starting, lines
    assert "in-memory store" in starting[0]
    assert "dev mode" in starting[0]


def test_readme_walkthrough_logs_in_joins_by_share_ticket_and_posts(server: Server) -> None:
    token = server.graphql('mutation { login(code: "alice") { token } }')["login"]["token"]

    shared = groupql("dev", "share-ticket", "--code", "alice", "--open-gid", "G123", env=server.env)
    assert shared.returncode == 0, shared.stderr
    ticket = json.loads(shared.stdout)
    assert set(ticket) == {"encryptedData", "iv"}

    joined = server.graphql(
        """
        mutation($encryptedData: String!, $iv: String!) {
          resolveShareTicket(encryptedData: $encryptedData, iv: $iv) {
            groupCreated
            group { id openGId }
            member { role }
          }
        }
        """,
        ticket,
        token=token,
    )["resolveShareTicket"]
    assert joined["groupCreated"] is True
    assert joined["group"]["openGId"] == "G123"
    assert joined["member"]["role"] == "OWNER"
    group_id = joined["group"]["id"]

    posted = server.graphql(
        'mutation($groupId: ID!) { postItem(input: {groupId: $groupId, text: "hello"}) { seq } }',
        {"groupId": group_id},
        token=token,
    )["postItem"]
    assert posted["seq"] == 1

    groups = server.graphql(
        "{ myGroups { edges { node { id openGId items { edges { node { seq text } } } } } } }",
        token=token,
    )["myGroups"]["edges"]
    assert [edge["node"]["openGId"] for edge in groups] == ["G123"]
    items = [edge["node"] for edge in groups[0]["node"]["items"]["edges"]]
    assert items == [{"seq": 1, "text": "hello"}]


def test_a_browser_opening_graphql_gets_graphiql(server: Server) -> None:
    response = server.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


def test_a_query_over_get_is_answered_as_json(server: Server) -> None:
    response = server.http.get(
        "/graphql", params={"query": "{__typename}"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_readyz_says_ready_on_the_in_memory_store(server: Server) -> None:
    response = server.http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        pytest.param({"GROUPQL_WECHAT_MODE": "live"}, "GROUPQL_WECHAT_SECRET", id="live-no-secret"),
        pytest.param({"GROUPQL_SECRET_KEY": "short"}, "GROUPQL_SECRET_KEY", id="short-secret-key"),
        pytest.param({"GROUPQL_SHARE_MAX_AGE": "abc"}, "GROUPQL_SHARE_MAX_AGE", id="bad-max-age"),
    ],
)
def test_serve_refuses_a_bad_configuration_with_one_line_naming_the_variable(
    variables: dict[str, str], named: str
) -> None:
    result = groupql(
        "serve",
        "--port",
        str(free_port()),
        env=clean_env(**variables),
        timeout_s=REFUSAL_DEADLINE_S,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert named in lines[0]


def test_dev_share_ticket_refuses_to_run_in_live_mode() -> None:
    result = groupql(
        "dev",
        "share-ticket",
        "--code",
        "alice",
        "--open-gid",
        "G123",
        env=clean_env(**LIVE_CREDENTIALS),
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert "dev mode" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("store", "says"),
    [
        ({}, "not memory://"),
        ({"GROUPQL_MONGODB_URL": "mongodb://db.invalid/?replicaSet=rs0"}, "GROUPQL_REDIS_URL"),
    ],
)
def test_serve_refuses_several_workers_that_would_not_share_their_events(
    store: dict[str, str], says: str
) -> None:
    result = groupql("serve", "--workers", "2", env=clean_env(**store))

    assert result.returncode == 1
    assert says in result.stderr and "--workers" in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_changes_since_a_file_name_what_would_break_clients(tmp_path: Path) -> None:
    current = groupql("schema", env=clean_env()).stdout
    older = tmp_path / "older.graphql"
    older.write_text(current.replace("type Query {", "type Query {\n  gone: Int", 1))

    unchanged = groupql("schema", "--changes-since", str(tmp_path / "missing"), env=clean_env())
    broken = groupql("schema", "--changes-since", str(older), env=clean_env())

    assert unchanged.returncode == 2
    assert broken.returncode == 1
    assert "FIELD_REMOVED" in broken.stdout and "Query.gone" in broken.stdout


@pytest.mark.parametrize(
    ("trusted", "client"), [("127.0.0.1", "203.0.113.7"), ("10.9.9.9", "127.0.0.1")]
)
def test_serve_believes_x_forwarded_for_only_from_its_trusted_proxies(
    tmp_path: Path, trusted: str, client: str
) -> None:
    stderr_path = tmp_path / "stderr.log"
    env = clean_env(GROUPQL_SECRET_KEY=TEST_SECRET_KEY)
    args = ["--log-format", "json", "--trusted-proxies", trusted]
    with serving(args, env, stderr_path) as http:
        forwarded = {"X-Forwarded-For": "203.0.113.7"}
        http.post("/graphql", json={"query": "query Probe { __typename }"}, headers=forwarded)
    lines = [
        json.loads(line) for line in stderr_path.read_text().splitlines() if line.startswith("{")
    ]
    [probe] = [line for line in lines if line.get("operation") == "Probe"]
    assert probe["client"] == client
