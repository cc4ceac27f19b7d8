"""The deployment files (Dockerfile, compose.yaml, deploy/) checked without Docker."""

import importlib.metadata
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
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from packaging.requirements import Requirement
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from groupql import graphiql
from groupql.config import Settings
from tests.test_graphiql_offline import BROWSER_HEADERS, asset_urls

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


@cache
def dockerignore() -> list[tuple[re.Pattern[str], bool]]:
    """.dockerignore's patterns in order, each with whether it lets what it matches back in."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
            rules.append((re.compile(glob_regex(pattern)), line.startswith("!")))
    return rules


GLOB_TOKENS = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}


def glob_regex(pattern: str) -> str:
    """Docker's pattern syntax: Go's filepath.Match, and ** for any number of directories."""
    regex = ""
    for token in re.findall(r"\*\*/?|\*|\?|\[[^\]]*\]|[^*?\[]+", pattern):
        if token in GLOB_TOKENS:
            regex += GLOB_TOKENS[token]
        elif token.startswith("["):
            regex += token  # a character class reads the same in Python
        else:
            regex += re.escape(token)
    return regex


def in_build_context(path: str) -> bool:
    """Whether `docker build` sends `path` (relative to the root): the last pattern matching it
    or a directory above it decides, as in Docker's patternmatcher."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for pattern, lets_in in dockerignore():
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            included = lets_in
    return included


def build_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    first_stage, runtime_stage = [i for i, (name, _) in enumerate(instructions) if name == "FROM"]
    return instructions[first_stage:runtime_stage]


def copied_sources() -> list[tuple[str, str]]:
    """(source, destination) of the build stage's COPY instructions from the build context."""
    copies = []
    for instruction, arguments in build_stage():
        if instruction == "COPY":
            assert not arguments.startswith("--"), f"COPY {arguments}: from the context only"
            *sources, destination = shlex.split(arguments)
            copies += [(source, destination) for source in sources]
    return copies


def tracked_files(source: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", source], cwd=ROOT, capture_output=True, check=True
    )
    return [path for path in listed.stdout.decode().split("\0") if path]


def test_the_build_context_holds_every_file_the_dockerfile_copies() -> None:
    for source, _ in copied_sources():
        tracked = tracked_files(source)
        assert tracked, f"COPY {source}: not a file in the repository"
        left_out = [path for path in tracked if not in_build_context(path)]
        assert not left_out, f"COPY {source}: .dockerignore leaves out {left_out}"
    assert not in_build_context("groupql/__pycache__/app.cpython-311.pyc")
    assert not in_build_context("tests/conftest.py")
    # A developer's copy of GraphiQL's assets stays out: the image fetches and checks its own.
    assert not in_build_context(f"groupql/static/graphiql/{graphiql.assets()[0].path}")


def build_context(into: Path) -> Path:
    """The files the build stage copies, as Docker's COPY lays them out from the context."""
    for source, destination in copied_sources():
        for path in files_under(source):
            if not in_build_context(path):
                continue
            if (ROOT / source).is_dir():
                # A directory's contents go into the destination.
                target = into / destination / Path(path).relative_to(source)
            elif destination.endswith("/"):
                target = into / destination / Path(source).name
            else:
                target = into / destination
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / path, target)
    return into


def files_under(source: str) -> list[str]:
    """Every file of `source` on disk (which `docker build` filters), relative to the root."""
    if (ROOT / source).is_file():
        return [source]
    return [
        str(Path(folder, name).relative_to(ROOT))
        for folder, _, names in os.walk(ROOT / source)
        for name in names
    ]


def build_steps() -> list[str]:
    """The build stage's RUN commands, one step per `&&`."""
    runs = [arguments for instruction, arguments in build_stage() if instruction == "RUN"]
    return [step.strip() for run in runs for step in run.split("&&")]


def assert_the_venv_has(pip_install: str) -> None:
    """What a `pip install` step of the image brings, found in the venv instead."""
    arguments = iter(shlex.split(pip_install)[2:])
    for argument in arguments:
        if argument == "--find-links":
            next(arguments)
            continue
        if argument.startswith("-"):
            continue
        # A wheel's file name starts with its distribution's name.
        is_wheel = argument.endswith(".whl")
        requirement = Requirement(Path(argument).name.partition("-")[0] if is_wheel else argument)
        installed = importlib.metadata.version(requirement.name)
        assert requirement.specifier.contains(installed, prereleases=True), (
            f"the image installs {requirement}, the tests run with {installed}"
        )


def run_build_steps(context: Path, wheels: Path) -> None:
    """The build stage's steps in `context`, with the venv's Python, pip and npm."""
    env = clean_env(PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    for step in build_steps():
        if step.startswith("pip install "):
            assert_the_venv_has(step)
            continue
        if step.startswith("pip wheel ") and "--no-deps" not in step:
            # The dependencies' wheels: the venv has the dependencies already.
            step = step.replace("pip wheel ", "pip wheel --no-deps ", 1)
        command = re.sub(r"(?<![\w.])/wheels\b", str(wheels), step)
        command = re.sub(r"(?<![\w.])/src\b", str(context), command)
        done = subprocess.run(
            ["sh", "-c", command], cwd=context, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{step}:\n{done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """groupql's wheel, built by the Dockerfile's build stage run as a script."""
    tool("npm")
    scratch = tmp_path_factory.mktemp("image-build")
    [workdir] = [arguments for instruction, arguments in build_stage() if instruction == "WORKDIR"]
    assert workdir == "/src"
    context = build_context(scratch / "src")
    wheels = scratch / "wheels"
    run_build_steps(context, wheels)
    [wheel] = wheels.glob("groupql-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed_wheel(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory the wheel is installed into, alone (its dependencies are the venv's)."""
    site = tmp_path_factory.mktemp("image-site")
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--target", site, built_wheel], check=True
    )
    where = subprocess.run(
        [sys.executable, "-c", "import groupql; print(groupql.__file__)"],
        env=clean_env(PYTHONPATH=str(site)),
        cwd=site.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(site), "the tests must run the wheel"
    return site


def test_the_wheel_built_as_the_dockerfile_builds_it_holds_graphiql_s_assets(
    built_wheel: Path,
) -> None:
    with zipfile.ZipFile(built_wheel) as wheel:
        packaged = set(wheel.namelist())
    missing = [
        asset.path
        for asset in graphiql.assets()
        if f"groupql/static/graphiql/{asset.path}" not in packaged
    ]
    assert not missing, f"not in {built_wheel.name}: {missing}"


@contextmanager
def serving_the_wheel(site: Path, *, port: int) -> Iterator[None]:
    """The image's entry point and command, from the installed wheel, on 127.0.0.1:`port`."""
    env = clean_env(PYTHONPATH=str(site), GROUPQL_MONGODB_URL="memory://")
    [entrypoint] = dockerfile_exec_form("ENTRYPOINT")
    cmd = with_address(dockerfile_exec_form("CMD"), host="127.0.0.1", port=port)
    serve = [str(site / "bin" / entrypoint), *cmd]
    with running(serve, env=env, ready_url=f"http://127.0.0.1:{port}/healthz", cwd=site.parent):
        yield


def test_the_wheel_built_as_the_dockerfile_builds_it_serves_and_passes_the_healthcheck(
    installed_wheel: Path,
) -> None:
    port = free_port()
    healthcheck = dockerfile_exec_form("HEALTHCHECK")
    assert healthcheck[:2] == ["python", "-c"]
    probe = healthcheck[2].replace("127.0.0.1:8000/", f"127.0.0.1:{port}/")
    assert probe != healthcheck[2]

    def healthy() -> bool:
        return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0

    with serving_the_wheel(installed_wheel, port=port):
        assert healthy()
    assert not healthy()


def test_the_image_s_graphiql_loads_every_asset_from_groupql_itself(installed_wheel: Path) -> None:
    port = free_port()
    with serving_the_wheel(installed_wheel, port=port):
        base = f"http://127.0.0.1:{port}"
        page = httpx.get(f"{base}/graphql", headers=BROWSER_HEADERS).text
        urls = asset_urls(page)
        assert len(urls) == len(graphiql.assets()), urls
        for url in urls:
            assert url.startswith(graphiql.ASSETS_ROUTE + "/"), url
            assert httpx.get(f"{base}{url}").status_code == 200, url


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
