"""`groupql serve`, or any server, in a process of its own, its memory and CPU time readable."""

import asyncio
import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.feed import SECRET_KEY

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0
# Pings would wake every idle socket; the benchmark measures sockets that only wait for events.
PING_INTERVAL_S = 3600


@dataclass(frozen=True)
class ServedApp:
    pid: int
    http_url: str
    ws_url: str

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no VmRSS for process {self.pid}")

    def cpu_s(self) -> float:
        """User plus system CPU time the server and its child processes have used so far."""
        return sum(map(_cpu_ticks, _process_tree(self.pid))) / os.sysconf("SC_CLK_TCK")


@asynccontextmanager
async def served_app(env: Mapping[str, str] | None = None) -> AsyncIterator[ServedApp]:
    """The real app on the in-memory store in dev mode, served by uvicorn on a loopback port;
    `env` adds settings or overrides these."""
    port = free_port()
    settings = {
        "GROUPQL_SECRET_KEY": SECRET_KEY,
        "GROUPQL_MONGODB_URL": "memory://",
        "GROUPQL_WECHAT_MODE": "dev",
        "GROUPQL_WS_PING_INTERVAL_S": str(PING_INTERVAL_S),
    }
    groupql = Path(sys.executable).with_name("groupql")
    command = [str(groupql), "serve", "--port", str(port)]
    async with served_process(command, port=port, env=settings | dict(env or {})) as app:
        yield app


@asynccontextmanager
async def served_process(
    command: Sequence[str], *, port: int, env: Mapping[str, str]
) -> AsyncIterator[ServedApp]:
    """The server `command` starts, once it answers GET /healthz on `port`; stopped on leaving.
    It has this process's environment but its GROUPQL_ settings, plus `env`."""
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("GROUPQL_")}
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            *command, env=inherited | dict(env), stdout=log, stderr=log
        )
        try:
            app = ServedApp(
                pid=process.pid,
                http_url=f"http://127.0.0.1:{port}",
                ws_url=f"ws://127.0.0.1:{port}/graphql",
            )
            await _until_healthy(app, process, Path(command[0]).name)
            yield app
        except BaseException:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace")[-4000:])
            raise
        finally:
            await _stop(process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _process_tree(pid: int) -> Iterator[int]:
    yield pid
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            yield from _process_tree(int(child))


def _cpu_ticks(pid: int) -> int:
    """utime + stime of the process, + cutime + cstime of its children that have ended."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # Fields after the parenthesised command name; utime is the 14th, cstime the 17th.
    fields = stat.rpartition(")")[2].split()
    return sum(int(ticks) for ticks in fields[11:15])


async def _until_healthy(app: ServedApp, process: asyncio.subprocess.Process, name: str) -> None:
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_S
    async with httpx.AsyncClient(base_url=app.http_url) as http:
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"{name} did not start in {START_TIMEOUT_S:.0f} s")
            await asyncio.sleep(0.1)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
