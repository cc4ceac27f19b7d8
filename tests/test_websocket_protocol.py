"""The lighter WebSocket protocol (groupql/websocket_protocol.py): its queue and flag behave as
asyncio's, and a real socket served by it works and keeps no handshake once accepted."""

import asyncio
import gc
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.http11 import Request

from groupql.websocket_protocol import Flag, LeanSocket, Messages

Scenario = Callable[[Any, list[str]], Awaitable[None]]


async def readers_in_turn(queue: Any, seen: list[str]) -> None:
    async def read(name: str) -> None:
        seen.append(f"{name}:{await queue.get()}")

    readers = [asyncio.ensure_future(read(name)) for name in "abc"]
    await asyncio.sleep(0)
    for item in (1, 2, 3):
        queue.put_nowait(item)
        await asyncio.sleep(0)
    await asyncio.gather(*readers)


async def a_woken_reader_cancelled_passes_its_item_on(queue: Any, seen: list[str]) -> None:
    async def read(name: str) -> None:
        seen.append(f"{name}:{await queue.get()}")

    first, second = asyncio.ensure_future(read("a")), asyncio.ensure_future(read("b"))
    await asyncio.sleep(0)
    queue.put_nowait(1)  # wakes the first reader...
    first.cancel()  # ...which is cancelled before it reads
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.wait_for(second, 1)
    seen.append(f"left:{queue.qsize()}:{queue.empty()}")


async def items_wait_for_a_reader(queue: Any, seen: list[str]) -> None:
    for item in (1, 2):
        queue.put_nowait(item)
    seen.append(f"size:{queue.qsize()}")
    seen.extend([str(await queue.get()), str(await queue.get()), str(queue.empty())])


@pytest.mark.parametrize(
    "scenario",
    [readers_in_turn, a_woken_reader_cancelled_passes_its_item_on, items_wait_for_a_reader],
)
async def test_messages_behave_as_asyncio_queue(scenario: Scenario) -> None:
    expected: list[str] = []
    await scenario(asyncio.Queue(), expected)
    seen: list[str] = []
    await scenario(Messages(), seen)
    assert seen == expected


async def test_the_flag_behaves_as_asyncio_event() -> None:
    for flag in (asyncio.Event(), Flag()):
        waiters = [asyncio.ensure_future(flag.wait()) for _ in range(3)]
        await asyncio.sleep(0)
        assert not any(waiter.done() for waiter in waiters) and not flag.is_set()
        waiters[0].cancel()
        flag.set()
        results = await asyncio.gather(*waiters, return_exceptions=True)
        assert isinstance(results[0], asyncio.CancelledError) and results[1:] == [True, True]
        assert await flag.wait() is True
        flag.clear()
        late = asyncio.ensure_future(flag.wait())
        await asyncio.sleep(0)
        assert not late.done()
        flag.set()
        assert await late is True


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "websocket"
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while (message := await receive())["type"] == "websocket.receive":
        await send({"type": "websocket.send", "text": message["text"].upper()})


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws=LeanSocket)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        if task.done():
            task.result()  # it failed to start: say why
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{listener.getsockname()[1]}", server
    finally:
        server.should_exit = True
        await task


async def test_a_socket_served_leanly_talks_and_keeps_no_handshake() -> None:
    async with served(echo) as (url, server), connect(url) as client:
        for text in ("hello", "你好", "again"):
            await client.send(text)
            assert await client.recv() == text.upper()
        [protocol] = server.server_state.connections
        assert isinstance(protocol, LeanSocket)
        assert isinstance(protocol.queue, Messages) and isinstance(protocol.writable, Flag)
        assert protocol.request is None and protocol.response is None


async def test_the_handshake_s_headers_are_not_kept_past_the_handshake() -> None:
    async def headers_then_echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
        # The app still reads the handshake's headers from its scope, as long as it likes.
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        while (await receive())["type"] == "websocket.receive":
            names = sorted(name.decode() for name, _ in scope["headers"])
            await send({"type": "websocket.send", "text": ",".join(names)})

    async with served(headers_then_echo) as (url, _server), connect(url) as client:
        await client.send("headers?")
        assert "sec-websocket-key" in (await client.recv()).split(",")
        gc.collect()
        # The server's request lingers in websockets' parser, emptied; the client's is its own.
        server_requests = [
            one
            for one in gc.get_objects()
            if isinstance(one, Request) and one is not client.request
        ]
        assert server_requests, "websockets' parser no longer keeps the request: simplify"
        assert all(len(one.headers) == 0 for one in server_requests)
