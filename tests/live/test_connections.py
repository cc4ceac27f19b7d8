"""The WebSocket a live feed runs on: who may open one, and how the server keeps it honest."""

from groupql.websocket import TEXTS_KEPT, one_copy
from tests.actors import login
from tests.conftest import Clock, LiveServer, serving
from tests.ws_client import GraphQLSocket


async def test_a_bad_token_closes_the_socket_with_4401(live: LiveServer) -> None:
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.send({"type": "connection_init", "payload": {"authorization": "Bearer nope"}})
    code, reason = await socket.closed()
    assert code == 4401
    assert reason


async def test_a_missing_token_closes_the_socket_with_4401(live: LiveServer) -> None:
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.send({"type": "connection_init", "payload": {}})
    code, _ = await socket.closed()
    assert code == 4401


async def test_graphiql_style_headers_in_connection_init_authenticate(live: LiveServer) -> None:
    # GraphiQL sends its Headers editor as the connection_init payload.
    alice = await login(live.api, "alice")
    socket = await GraphQLSocket.open(live.ws_url)
    authorization = f"Bearer {alice.token}"
    await socket.send({"type": "connection_init", "payload": {"Authorization": authorization}})
    assert (await socket.receive())["type"] == "connection_ack"
    await socket.close()


async def test_a_socket_that_never_initialises_is_closed(clock: Clock) -> None:
    async with serving(clock, ws_init_timeout_s=0.3) as live:
        socket = await GraphQLSocket.open(live.ws_url)
        code, _ = await socket.closed(timeout_s=3)
        assert code == 4408


async def test_the_server_pings_an_idle_socket(clock: Clock) -> None:
    async with serving(clock, ws_ping_interval_s=0.2) as live:
        alice = await login(live.api, "alice")
        socket = await GraphQLSocket.open(live.ws_url)
        await socket.init(alice.token)
        assert (await socket.receive(timeout_s=2, skip_pings=False))["type"] == "ping"
        await socket.close()


def test_sockets_that_send_one_document_keep_one_copy_of_its_text() -> None:
    texts = ["subscription { viewerEvents { type } }" + " " * n for n in range(3)]
    # As a socket's JSON decoding makes them: equal texts, distinct objects.
    first, again = "".join(texts[0]), "".join(list(texts[0]))
    assert first == again and first is not again

    assert one_copy(first) is one_copy(again) is first
    for n in range(TEXTS_KEPT):
        one_copy(f"query Q{n} {{ viewer {{ id }} }}")
    assert one_copy(again) is again  # long unused, the first copy was let go
