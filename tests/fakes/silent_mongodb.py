"""A MongoDB that hangs: a TCP server on a loopback port that accepts connections and reads what
they send, but never answers (a server that froze, or a network that drops replies)."""

import asyncio
from types import TracebackType
from urllib.parse import urlencode


class SilentMongoDB:
    """`async with SilentMongoDB() as silent:` listens until the block ends."""

    def __init__(self) -> None:
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        assert self._server is not None, "not listening"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def url(self, **options: object) -> str:
        """A MongoDB URL of this server with `options` (e.g. timeoutMS=800) as its query."""
        return f"mongodb://127.0.0.1:{self.port}/?{urlencode(options)}"

    async def __aenter__(self) -> "SilentMongoDB":
        self._server = await asyncio.start_server(self._swallow, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _swallow(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.add(writer)
        try:
            while await reader.read(65536):
                pass  # a hello, a command: read and never answered
        except ConnectionError:
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
