"""OpenTelemetry tracing, on when an OTLP exporter is configured: what a real collector gets."""

import secrets
from collections.abc import Iterator

import pytest

from groupql.observability.tracing import Tracing
from tests.actors import join
from tests.conftest import Clock, api_on_test_store
from tests.fakes.otlp_collector import Collector, Span, running_collector

GROUP_PAGE = """
query GroupPage($id: ID!) {
  group(id: $id) { title items(first: 5) { edges { node { text author { id } } } } }
}
"""


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[Collector]:
    with running_collector() as collector:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
        monkeypatch.setenv("OTEL_SERVICE_NAME", "groupql-under-test")
        yield collector


def _descends_from(span: Span, ancestor: Span, spans: list[Span]) -> bool:
    by_id = {one.span_id: one for one in spans}
    while span.parent_id in by_id:
        span = by_id[span.parent_id]
        if span.span_id == ancestor.span_id:
            return True
    return False


async def test_a_query_continues_the_callers_trace_with_its_store_commands_inside(
    clock: Clock, collector: Collector
) -> None:
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    async with api_on_test_store(clock) as api:
        alice = await join(api, "alice")
        await alice.say("hello")
        response = await api.http.post(
            "/graphql",
            json={"query": GROUP_PAGE, "variables": {"id": alice.group_id}},
            headers={
                "Authorization": f"Bearer {alice.token}",
                "traceparent": f"00-{trace_id}-{caller_span}-01",
            },
        )
        body = response.json()
        assert "errors" not in body
        assert body["data"]["group"]["items"]["edges"][0]["node"]["text"] == "hello"
    # The app's shutdown sent what was buffered.

    spans = [span for span in collector.spans if span.trace_id == trace_id]
    [server] = [span for span in spans if span.parent_id == caller_span]
    [operation] = [span for span in spans if span.name == "query GroupPage"]
    store = [span for span in spans if span.attributes.get("db.system") == "mongodb"]
    assert server.name.startswith("POST /graphql")
    assert server.service == "groupql-under-test"
    assert operation.parent_id == server.span_id
    assert operation.attributes["graphql.operation.name"] == "GroupPage"
    assert operation.attributes["graphql.operation.type"] == "query"
    assert not operation.is_error
    assert store, [span.name for span in spans]
    # The viewer is authenticated before the operation runs (the response cache looks its
    # answers up by viewer); the page's own reads are the operation's.
    assert all(_descends_from(span, server, spans) for span in store)
    inside = [span for span in store if _descends_from(span, operation, spans)]
    assert {"groupql.find", "groupql.aggregate"} & {span.name for span in inside}


async def test_a_refused_operation_is_an_error_span_with_its_code(
    clock: Clock, collector: Collector
) -> None:
    async with api_on_test_store(clock) as api:
        alice = await join(api, "alice")
        stranger = await join(api, "mallory", "G-elsewhere")
        assert await stranger.error_code(GROUP_PAGE, id=alice.group_id) == "FORBIDDEN"
        assert await alice.error_code("query Broken { nope }") == "BAD_USER_INPUT"

    [forbidden] = collector.named("query GroupPage")
    assert forbidden.is_error
    assert forbidden.attributes["groupql.error_codes"] == ["FORBIDDEN"]
    [broken] = collector.named("query Broken")
    assert broken.attributes["groupql.error_codes"] == ["BAD_USER_INPUT"]


async def test_no_span_holds_a_token_a_code_encrypted_data_or_variables(
    clock: Clock, collector: Collector
) -> None:
    async with api_on_test_store(clock) as api:
        alice = await join(api, "alice-secret-code")
        ticket = alice.share_ticket("G-another")
        await alice.data(
            "mutation($encryptedData: String!, $iv: String!) { "
            "resolveShareTicket(encryptedData: $encryptedData, iv: $iv) { group { id } } }",
            **ticket,
        )
        await api.http.get(
            "/graphql",
            params={"query": "query($t: String) { __typename }", "variables": '{"t": "GETVAR"}'},
            headers={"Authorization": f"Bearer {alice.token}"},
        )

    assert len(collector.spans) > 10
    values = " ".join(
        f"{span.name} {value}" for span in collector.spans for value in span.attributes.values()
    )
    for secret in (alice.token, "alice-secret-code", ticket["encryptedData"], ticket["iv"]):
        assert secret not in values
    assert "GETVAR" not in values
    assert "?" not in values  # no URL keeps its query string


def test_tracing_is_off_unless_an_exporter_is_configured() -> None:
    assert Tracing.from_environment({}) is None
    assert Tracing.from_environment({"OTEL_SERVICE_NAME": "groupql"}) is None
    on = Tracing.from_environment({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:9"})
    assert on is not None
    on.close()
