"""One JSON line per GraphQL operation: the request id echoed back, the operation, how long it
took, how it ended, who asked and from where."""

import re

from tests.actors import LOGIN, login
from tests.conftest import Api
from tests.observability.json_logs import json_logs

VIEWER = "query WhoAmI { viewer { id } }"


async def test_the_clients_request_id_is_echoed_and_logged_with_the_operation(api: Api) -> None:
    alice = await login(api, "alice")

    with json_logs() as logs:
        response = await api.http.post(
            "/graphql",
            json={"query": VIEWER},
            headers={"Authorization": f"Bearer {alice.token}", "X-Request-Id": "req-42"},
        )

    assert response.headers["x-request-id"] == "req-42"
    [line] = logs.objects("operation")
    assert line["request_id"] == "req-42"
    assert line["operation"] == "WhoAmI"
    assert line["operation_type"] == "query"
    assert line["outcome"] == "OK"
    assert line["error_codes"] == []
    assert line["user_id"] == alice.user_id
    assert line["client"] == "127.0.0.1"
    assert line["transport"] == "http"
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert line["logger"] == "groupql.operations"


async def test_an_answer_from_the_response_cache_is_logged_with_who_asked(api: Api) -> None:
    alice = await login(api, "alice")
    await alice.data(VIEWER)

    with json_logs() as logs:
        assert (await alice.data(VIEWER))["viewer"]["id"] == alice.user_id

    [line] = logs.objects("operation")
    assert (line["operation"], line["outcome"], line["user_id"]) == ("WhoAmI", "OK", alice.user_id)


async def test_a_request_without_an_id_gets_one(api: Api) -> None:
    first = await api.http.post("/graphql", json={"query": "{ __typename }"})
    second = await api.http.post("/graphql", json={"query": "{ __typename }"})

    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_an_id_that_could_spoil_a_log_line_is_replaced(api: Api) -> None:
    response = await api.http.get("/healthz", headers={"X-Request-Id": 'a" b\\n'})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_a_refused_operation_logs_its_codes_and_the_refusal_shares_its_request_id(
    api: Api,
) -> None:
    with json_logs() as logs:
        await api.http.post(
            "/graphql",
            json={"query": VIEWER},
            headers={"Authorization": "Bearer not-a-token", "X-Request-Id": "req-7"},
        )

    [line] = logs.objects("operation")
    assert (line["outcome"], line["error_codes"], line["user_id"]) == (
        "UNAUTHENTICATED",
        ["UNAUTHENTICATED"],
        None,
    )
    [refusal] = logs.objects("refusal")
    assert refusal["request_id"] == "req-7"
    assert refusal["code"] == "UNAUTHENTICATED"
    assert refusal["message"].startswith("refused UNAUTHENTICATED from 127.0.0.1")


async def test_a_request_that_is_not_graphql_is_one_line_with_its_refusal(api: Api) -> None:
    with json_logs() as logs:
        await api.http.post("/graphql", content=b"[", headers={"content-type": "application/json"})

    [line] = logs.objects("operation")
    assert (line["operation"], line["outcome"]) == (None, "BAD_USER_INPUT")


async def test_the_operation_name_the_client_chose_among_several_is_logged(api: Api) -> None:
    document = f"{LOGIN.replace('mutation(', 'mutation Login(')} query Other {{ __typename }}"

    with json_logs() as logs:
        body = await api.http.post(
            "/graphql",
            json={"query": document, "variables": {"code": "bob"}, "operationName": "Other"},
        )

    assert body.status_code == 200
    [line] = logs.objects("operation")
    assert (line["operation"], line["operation_type"]) == ("Other", "query")


async def test_the_graphiql_page_is_not_an_operation(api: Api) -> None:
    with json_logs() as logs:
        await api.http.get("/graphql", headers={"Accept": "text/html"})

    assert logs.objects("operation") == []
