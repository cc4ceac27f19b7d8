"""Input no client should send is refused briefly, as bad input: never a 500, never INTERNAL,
never a stack trace, never a message that echoes megabytes back."""

import json

import pytest

from tests.actors import join
from tests.conftest import Api, LiveServer
from tests.ws_client import LEGACY_WS, TRANSPORT_WS, GraphQLSocket

NOT_OBJECTS = [b"123", b'"a"', b"null", b"true", b"[]", b'[{"query": "{ __typename }"}]']


async def post_raw(api: Api, body: bytes) -> tuple[int, dict[str, object]]:
    response = await api.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    return response.status_code, response.json()


def refusal(body: dict[str, object]) -> str:
    [error] = body["errors"]  # type: ignore[misc]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}, error
    assert "Traceback" not in error["message"]
    message: str = error["message"]
    return message


@pytest.mark.parametrize("body", NOT_OBJECTS)
async def test_a_body_that_is_json_but_not_an_object_is_refused(api: Api, body: bytes) -> None:
    status, answer = await post_raw(api, body)

    assert status == 400
    assert "must be an object" in refusal(answer)


async def test_a_body_that_is_not_utf8_json_is_refused(api: Api) -> None:
    status, answer = await post_raw(api, b'{"query": "\xff\xfe"}')

    assert status == 400
    assert refusal(answer) in ("The body is not UTF-8.", "The body is not JSON.")


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
async def test_json_nested_deeper_than_the_limit_is_refused(api: Api, depth: int) -> None:
    nested = '{"a":' * depth + "1" + "}" * depth
    body = f'{{"query": "{{ __typename }}", "variables": {{"deep": {nested}}}}}'.encode()

    status, answer = await post_raw(api, body)

    assert status == 400
    assert "nests deeper than 32 levels" in refusal(answer)


async def test_variables_nested_deep_in_a_get_request_are_refused(api: Api) -> None:
    nested = '{"a":' * 100 + "1" + "}" * 100
    response = await api.http.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": nested},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 400
    assert "nests deeper" in refusal(response.json())


@pytest.mark.parametrize(
    "variables",
    [
        {"text": "\ud800"},
        {"text": "fine", "nested": {"list": ["ok", "\udfff"]}},
        {"\ud83d": "a key can hold one too"},
    ],
)
async def test_a_lone_surrogate_anywhere_in_variables_is_refused(
    api: Api, variables: dict[str, object]
) -> None:
    alice = await join(api, "alice")
    post = "mutation($g: ID!, $text: String) { postItem(input: {groupId: $g, text: $text}) { id } }"
    # json.dumps writes a lone surrogate as the escape \udXXX, as JSON.stringify does.
    body = json.dumps({"query": post, "variables": {"g": alice.group_id, **variables}}).encode()

    status, answer = await post_raw_as(api, body, alice.token)

    assert status == 400
    assert "lone UTF-16 surrogate" in refusal(answer)
    assert await alice.feed() == []


async def post_raw_as(api: Api, body: bytes, token: str) -> tuple[int, dict[str, object]]:
    response = await api.http.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    return response.status_code, response.json()


async def test_a_message_never_quotes_more_than_300_characters(api: Api) -> None:
    huge_name = "x" * 15_000  # within the query length limit, so it reaches validation
    body = await api.post("{ " + huge_name + " }")

    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(error["message"]) <= 300
    assert error["message"].startswith("Cannot query field 'xxx")


FRAMES = [
    "123",
    '"connection_init"',
    "[]",
    "{}",
    '{"a":' * 200 + "1" + "}" * 200,
    '{"type": "\\ud800"}',
]


@pytest.mark.parametrize("frame", FRAMES)
async def test_a_socket_frame_that_is_not_an_acceptable_message_closes_with_4400(
    live: LiveServer, frame: str
) -> None:
    socket = await GraphQLSocket.open(live.ws_url, TRANSPORT_WS)
    await socket.connection.send(frame)

    code, _ = await socket.closed()

    assert code == 4400


@pytest.mark.parametrize("frame", FRAMES)
async def test_the_legacy_protocol_ignores_such_frames_and_keeps_serving(
    live: LiveServer, frame: str
) -> None:
    alice = await join(live.api, "alice")
    socket = await GraphQLSocket.open(live.ws_url, LEGACY_WS)
    await socket.connection.send(frame)

    assert (await socket.init(alice.token))["type"] == "connection_ack"
    await socket.close()


async def test_a_socket_message_over_the_body_limit_closes_with_1009(live: LiveServer) -> None:
    socket = await GraphQLSocket.open(live.ws_url, TRANSPORT_WS)
    await socket.connection.send(
        '{"type": "connection_init", "payload": {"x": "' + "a" * 2_000_000 + '"}}'
    )

    code, _ = await socket.closed()

    assert code == 1009
