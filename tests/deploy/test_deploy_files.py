"""The deployment files (Dockerfile, compose.yaml, deploy/) checked without Docker."""

import ipaddress
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from groupql.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
SETTINGS = {f"GROUPQL_{name.upper()}" for name in Settings.model_fields}
START_TIMEOUT_S = 20.0


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(entry.partition("=")[::2] for entry in env)
    return {name: str(value) for name, value in env.items()}


def groupql_services() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services().items() if s.get("build") == "."}


def replicas() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in groupql_services().items() if s.get("command") != ["migrate"]}


def env_example(name: str) -> dict[str, str]:
    """The variables of deploy/<name>.env.example, commented-out ones included."""
    variables = {}
    for line in (DEPLOY / f"{name}.env.example").read_text().splitlines():
        match = re.fullmatch(r"#?\s*([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            variables[match[1]] = match[2]
    return variables


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (instruction.upper(), arguments.strip())
        for instruction, _, arguments in (
            line.strip().partition(" ") for line in joined.split("\n")
        )
        if instruction
    ]


def dockerfile_exec_form(instruction: str) -> list[str]:
    [arguments] = [args for name, args in dockerfile_instructions() if name == instruction]
    return json.loads(arguments[arguments.index("[") :])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_address(argv: list[str], *, host: str, port: int) -> list[str]:
    """The `serve` command line with its --host and --port replaced."""
    replaced = list(argv)
    replaced[replaced.index("--host") + 1] = host
    replaced[replaced.index("--port") + 1] = str(port)
    return replaced


@contextmanager
def running(
    argv: list[str], *, env: dict[str, str], ready_url: str, cwd: Path | None = None
) -> Iterator[None]:
    """A server process, from the moment `ready_url` answers until the block ends."""
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"{argv[0]} exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{ready_url} did not answer within {START_TIMEOUT_S} s")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def clean_env(**variables: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("GROUPQL_")}
    return env | variables


def tool(name: str) -> str:
    path = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if path is None:
        pytest.skip(f"{name} is not installed (the test extras provide it)")
    return path


# compose.yaml


def test_compose_and_env_examples_name_only_real_settings() -> None:
    named = set(env_example("site")) | set(env_example("groupql"))
    for service in services().values():
        named |= set(environment(service))
    unknown = {name for name in named if name.startswith("GROUPQL_")} - SETTINGS
    assert not unknown, f"not settings of groupql/config.py: {sorted(unknown)}"


def test_the_deployment_guide_names_only_real_settings() -> None:
    text = (ROOT / "docs" / "deployment.md").read_text()
    # Prefixes such as GROUPQL_RATE_ (in GROUPQL_RATE_*_PER_MIN) end in "_".
    named = {name for name in re.findall(r"GROUPQL_[A-Z0-9_]*[A-Z0-9]\b", text)}
    unknown = named - SETTINGS - {"GROUPQL_TEST_MONGODB_URL"}
    assert not unknown, f"not settings of groupql/config.py: {sorted(unknown)}"


def test_every_image_is_pinned_to_a_tag() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for name, service in services().items():
        repository, _, tag = service["image"].rpartition(":")
        assert repository and tag and tag != "latest", f"{name}: {service['image']} is not pinned"
        if service.get("build"):
            assert tag == version, f"{name} builds groupql {version} but tags it {tag}"


def test_groupql_starts_only_after_migrate_has_succeeded() -> None:
    all_services = services()
    assert all_services["migrate"]["command"] == ["migrate"]
    assert all_services["migrate"]["restart"] == "no"
    assert all_services["migrate"]["depends_on"] == {
        "mongo-init": {"condition": "service_completed_successfully"}
    }
    assert len(replicas()) >= 2
    for name, replica in replicas().items():
        assert replica["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name


def test_replicas_share_events_and_the_replica_set() -> None:
    [mongo_command] = [s["command"] for n, s in services().items() if n == "mongo"]
    replica_set = mongo_command[mongo_command.index("--replSet") + 1]
    assert f'_id: "{replica_set}"' in (DEPLOY / "mongo-init.js").read_text()
    for name, service in groupql_services().items():
        env = environment(service)
        mongodb = urlsplit(env["GROUPQL_MONGODB_URL"])
        assert parse_qs(mongodb.query)["replicaSet"] == [replica_set], name
        assert mongodb.hostname in services(), name
        redis = urlsplit(env["GROUPQL_REDIS_URL"])
        assert redis.hostname in services(), name


def test_only_the_proxy_network_is_trusted_for_forwarded_addresses() -> None:
    [edge] = compose()["networks"]["edge"]["ipam"]["config"]
    proxy = services()["proxy"]
    assert proxy["networks"] == ["edge"]
    for name, replica in replicas().items():
        trusted = environment(replica)["GROUPQL_TRUSTED_PROXIES"]
        assert ipaddress.ip_network(trusted) == ipaddress.ip_network(edge["subnet"]), name
        assert "ports" not in replica, f"{name} must be reached through the proxy only"
    on_edge = {name for name, s in services().items() if "edge" in s.get("networks", [])}
    assert on_edge == {"proxy", *replicas()}


def test_the_proxy_sends_requests_to_every_replica_on_the_served_port() -> None:
    serve = dockerfile_exec_form("CMD")
    served_port = serve[serve.index("--port") + 1]
    upstreams = environment(services()["proxy"])["UPSTREAMS"].split()
    assert upstreams == [f"{name}:{served_port}" for name in replicas()]


def test_the_stack_settings_pass_groupql_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("GROUPQL_")]:
        monkeypatch.delenv(name)
    filled_in = {"GROUPQL_WECHAT_APPID": "wx1234567890abcdef", "GROUPQL_SECRET_KEY": "k" * 48}
    example = (
        {name: value for name, value in env_example("groupql").items() if name in filled_in}
        | filled_in
        | {"GROUPQL_WECHAT_SECRET": "an app secret"}
    )
    for service in groupql_services().values():
        for name, value in (env_example("site") | example | environment(service)).items():
            monkeypatch.setenv(name, value)
        settings = Settings()
        assert settings.wechat_mode == "live"
        assert not settings.uses_memory_store


# deploy/mongo-init.js, run by node against a stand-in for mongosh's rs, db, sleep and print


MONGOSH_STAND_IN = """
const vm = require("node:vm");
const fs = require("node:fs");
const [path, stateJson] = process.argv.slice(-2);
const [script, state] = [fs.readFileSync(path, "utf8"), JSON.parse(stateJson)];
const calls = [];
let hellos = 0;
const rs = {
  status() {
    if (state.initiated) return { ok: 1 };
    const error = new Error("no replset config has been received");
    error.codeName = state.statusError || "NotYetInitialized";
    throw error;
  },
  initiate(config) { calls.push(config); state.initiated = true; return { ok: 1 }; },
};
const db = { hello: () => ({ isWritablePrimary: ++hellos > state.secondaryFor }) };
vm.runInNewContext(script, { rs, db, sleep() {}, print() {}, Date });
console.log(JSON.stringify({ calls, hellos }));
"""


def run_mongo_init(**state: object) -> subprocess.CompletedProcess[str]:
    node = tool("node")
    return subprocess.run(
        [node, "-e", MONGOSH_STAND_IN, "--", str(DEPLOY / "mongo-init.js"), json.dumps(state)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_mongo_init_initiates_a_new_replica_set_and_waits_for_its_primary() -> None:
    done = run_mongo_init(initiated=False, secondaryFor=3)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["calls"] == [{"_id": "rs0", "members": [{"_id": 0, "host": "mongo:27017"}]}]
    assert answer["hellos"] == 4


def test_mongo_init_leaves_an_initiated_replica_set_alone() -> None:
    done = run_mongo_init(initiated=True, secondaryFor=0)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["calls"] == []


def test_mongo_init_fails_on_any_other_error() -> None:
    done = run_mongo_init(initiated=False, statusError="Unauthorized", secondaryFor=0)
    assert done.returncode != 0


# Dockerfile


def test_dockerfile_passes_hadolint() -> None:
    done = subprocess.run(
        [tool("hadolint"), str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_wheel_built_as_the_dockerfile_builds_it_serves_and_passes_the_healthcheck(
    tmp_path: Path,
) -> None:
    instructions = dockerfile_instructions()
    first_stage, runtime_stage = [i for i, (name, _) in enumerate(instructions) if name == "FROM"]
    build_stage = instructions[first_stage:runtime_stage]
    context = tmp_path / "src"
    context.mkdir()
    for instruction, arguments in build_stage:
        if instruction == "COPY":
            *sources, destination = shlex.split(arguments)
            # Docker's COPY: a directory's contents go into the destination; a file goes into a
            # destination ending in "/", or becomes it.
            for source in sources:
                if (ROOT / source).is_dir():
                    shutil.copytree(
                        ROOT / source,
                        context / destination,
                        ignore=shutil.ignore_patterns("__pycache__"),
                    )
                elif destination.endswith("/"):
                    (context / destination).mkdir(parents=True, exist_ok=True)
                    shutil.copy(ROOT / source, context / destination / Path(source).name)
                else:
                    shutil.copy(ROOT / source, context / destination)
    [run] = [arguments for instruction, arguments in build_stage if instruction == "RUN"]
    wheel_step = "pip wheel --no-deps --wheel-dir /wheels ."
    assert run.startswith(wheel_step)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", *shlex.split(wheel_step.replace("/wheels", str(wheels)))],
        cwd=context,
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("groupql-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, wheel],
        check=True,
    )
    env = clean_env(PYTHONPATH=str(site), GROUPQL_MONGODB_URL="memory://")
    where = subprocess.run(
        [sys.executable, "-c", "import groupql; print(groupql.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(site), "the test must run the wheel"

    port = free_port()
    [entrypoint] = dockerfile_exec_form("ENTRYPOINT")
    cmd = with_address(dockerfile_exec_form("CMD"), host="127.0.0.1", port=port)
    serve = [str(site / "bin" / entrypoint), *cmd]
    healthcheck = dockerfile_exec_form("HEALTHCHECK")
    assert healthcheck[:2] == ["python", "-c"]
    probe = healthcheck[2].replace("127.0.0.1:8000/", f"127.0.0.1:{port}/")
    assert probe != healthcheck[2]

    def healthy() -> bool:
        return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0

    with running(serve, env=env, ready_url=f"http://127.0.0.1:{port}/healthz", cwd=tmp_path):
        assert healthy()
    assert not healthy()


# deploy/Caddyfile, run by the same Caddy release as the compose image


def caddy() -> str:
    path = tool("caddy")
    version = subprocess.run([path, "version"], capture_output=True, text=True, check=True)
    tag = services()["proxy"]["image"].rpartition(":")[2]
    assert version.stdout.startswith(f"v{tag}."), f"caddy {version.stdout} is not the image's {tag}"
    return path


def caddy_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    home = {
        name: str(tmp_path / name.lower()) for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME")
    }
    return clean_env(**home, **variables)


def test_caddyfile_is_valid_for_the_production_site(tmp_path: Path) -> None:
    env = caddy_env(
        tmp_path,
        GROUPQL_PUBLIC_URL=env_example("site")["GROUPQL_PUBLIC_URL"],
        UPSTREAMS=environment(services()["proxy"])["UPSTREAMS"],
    )
    done = subprocess.run(
        [caddy(), "validate", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def proxied_groupql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """groupql serve (dev mode) behind deploy/Caddyfile over plain HTTP: the proxy's URL."""
    app_port, proxy_port = free_port(), free_port()
    app_env = clean_env(GROUPQL_RATE_ANONYMOUS_PER_MIN="1", GROUPQL_TRUSTED_PROXIES="127.0.0.1")
    serve = [str(BIN / "groupql"), "serve", "--host", "127.0.0.1", "--port", str(app_port)]
    proxy_url = f"http://127.0.0.1:{proxy_port}"
    proxy_env = caddy_env(
        tmp_path_factory.mktemp("caddy"),
        CADDY_ADMIN="off",
        GROUPQL_PUBLIC_URL=proxy_url,
        UPSTREAMS=f"127.0.0.1:{app_port}",
    )
    proxy = [caddy(), "run", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")]
    with (
        running(serve, env=app_env, ready_url=f"http://127.0.0.1:{app_port}/healthz"),
        running(proxy, env=proxy_env, ready_url=f"{proxy_url}/readyz"),
    ):
        yield proxy_url


def test_the_proxy_upgrades_websockets_on_graphql(proxied_groupql: str) -> None:
    login = httpx.post(
        f"{proxied_groupql}/graphql", json={"query": 'mutation { login(code: "alice") { token } }'}
    )
    token = login.json()["data"]["login"]["token"]
    url = proxied_groupql.replace("http://", "ws://") + "/graphql"
    protocol = Subprotocol("graphql-transport-ws")
    with connect(url, subprotocols=[protocol], open_timeout=5) as graphql_socket:
        assert graphql_socket.subprotocol == protocol
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        graphql_socket.send(json.dumps(init))
        assert json.loads(graphql_socket.recv(timeout=5))["type"] == "connection_ack"


def test_the_proxy_passes_the_real_client_address_not_a_forged_one(proxied_groupql: str) -> None:
    """One request without a token per minute and address: the second from a client is refused,
    while another client naming the same forged X-Forwarded-For still gets through."""

    def anonymous_request(client_address: str) -> int:
        transport = httpx.HTTPTransport(local_address=client_address)
        with httpx.Client(transport=transport) as client:
            return client.post(
                f"{proxied_groupql}/graphql",
                json={"query": "{ __typename }"},
                headers={"X-Forwarded-For": "203.0.113.9"},
            ).status_code

    assert anonymous_request("127.0.0.2") == 200
    assert anonymous_request("127.0.0.2") == 429
    assert anonymous_request("127.0.0.3") == 200


def test_the_proxy_keeps_metrics_off_the_public_site(proxied_groupql: str) -> None:
    assert httpx.get(f"{proxied_groupql}/metrics").status_code == 404
