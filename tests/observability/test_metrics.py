"""GET /metrics: what a known sequence of requests leaves in the Prometheus exposition."""

import asyncio

from prometheus_client.parser import text_string_to_metric_families

from tests.actors import LOGIN, join, login
from tests.conftest import Api, Clock, api_on_test_store, serving
from tests.fakes.wechat import FakeWeChat
from tests.live.feeds import FEED
from tests.ws_client import GraphQLSocket

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(api: Api) -> Samples:
    response = await api.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str) -> float:
    return sum(found for (sample, _), found in samples.items() if sample == name)


async def test_operations_count_by_name_and_outcome(api: Api) -> None:
    alice = await login(api, "alice")
    for _ in range(3):
        await api.data("query WhoAmI { viewer { id } }", token=alice.token)
    await api.error_code("query WhoAmI { viewer { id } }", token="forged")
    await api.data("{ __typename }")

    samples = await scrape(api)

    assert value(samples, "groupql_operations_total", operation="WhoAmI", outcome="OK") == 3
    assert (
        value(samples, "groupql_operations_total", operation="WhoAmI", outcome="UNAUTHENTICATED")
        == 1
    )
    assert value(samples, "groupql_operations_total", operation="anonymous", outcome="OK") == 2
    assert (
        value(
            samples,
            "groupql_operation_duration_seconds_count",
            operation="WhoAmI",
            outcome="OK",
        )
        == 3
    )
    assert value(samples, "groupql_refusals_total", code="UNAUTHENTICATED") == 1
    assert value(samples, "groupql_store_command_duration_seconds_count", command="find") > 0


async def test_client_chosen_operation_names_are_bounded(api: Api) -> None:
    for n in range(205):
        await api.data(f"query Q{n} {{ __typename }}")

    samples = await scrape(api)

    assert value(samples, "groupql_operations_total", operation="other", outcome="OK") == 5


async def test_rate_limit_refusals_are_counted(clock: Clock) -> None:
    async with api_on_test_store(clock, rate_anonymous_per_min=1) as api:
        await api.http.post("/graphql", json={"query": "{ __typename }"})
        await api.http.post("/graphql", json={"query": "{ __typename }"})

        samples = await scrape(api)

    assert value(samples, "groupql_refusals_total", code="RATE_LIMITED") == 1
    assert value(samples, "groupql_operations_total", operation="anonymous", outcome="RATE_LIMITED")


async def test_live_feeds_count_sockets_subscriptions_and_events(clock: Clock) -> None:
    async with serving(clock) as server:
        owner = await join(server.api, "olivia")
        socket = await GraphQLSocket.open(server.ws_url)
        await socket.init(owner.token)
        await socket.subscribe(FEED, {"groupId": owner.group_id})
        await asyncio.sleep(0.2)
        await owner.say("one")
        await owner.say("two")
        await socket.data()
        await socket.data()

        during = await scrape(server.api)
        await socket.close()
        await asyncio.sleep(0.2)
        after = await scrape(server.api)

    assert value(during, "groupql_websockets_open") == 1
    assert value(during, "groupql_subscriptions_active") == 1
    assert value(during, "groupql_events_published_total", type="ITEM_POSTED") == 2
    assert value(during, "groupql_events_delivered_total") == 2
    assert value(after, "groupql_websockets_open") == 0
    assert value(after, "groupql_subscriptions_active") == 0


async def test_a_refused_socket_counts_its_close_code(clock: Clock) -> None:
    async with serving(clock) as server:
        socket = await GraphQLSocket.open(server.ws_url)
        await socket.send({"type": "connection_init", "payload": {}})
        assert (await socket.closed())[0] == 4401

        samples = await scrape(server.api)

    assert value(samples, "groupql_websocket_closes_total", code="4401") == 1


async def test_wechat_calls_count_by_endpoint_and_errcode(
    live_wechat_api: Api, fake_wechat: FakeWeChat
) -> None:
    fake_wechat.add_code("code-1", openid="o-alice")
    await login(live_wechat_api, "code-1")
    await live_wechat_api.error_code(LOGIN, {"code": "unknown-code"})

    samples = await scrape(live_wechat_api)

    assert (
        value(samples, "groupql_wechat_calls_total", endpoint="/sns/jscode2session", errcode="0")
        == 1
    )
    assert (
        value(samples, "groupql_wechat_calls_total", endpoint="/sns/jscode2session", errcode="0")
        + total(samples, "groupql_wechat_calls_total")
        == 3
    )


async def test_metrics_can_be_turned_off(clock: Clock) -> None:
    async with api_on_test_store(clock, metrics="off") as api:
        assert (await api.http.get("/metrics")).status_code == 404
