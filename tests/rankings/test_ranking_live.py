"""RankingChanged on groupFeed, over a real WebSocket: told at once, then at most once per
interval per metric however many scores change, so a leaderboard screen refetches calmly."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.actors import Member, join
from tests.conftest import Clock, LiveServer, serving
from tests.live.feeds import until_feed_is_live
from tests.rankings.documents import RANKING_FEED
from tests.rankings.leaderboards import define, last_days, opt_in, record, send_steps, today
from tests.ws_client import GraphQLSocket

INTERVAL_S = 0.5


@pytest.fixture
async def live(clock: Clock) -> AsyncIterator[LiveServer]:
    async with serving(clock, ranking_event_interval_s=INTERVAL_S) as server:
        yield server


async def ranking_feed(live: LiveServer, member: Member) -> GraphQLSocket:
    """A socket on the member's group feed, live."""
    socket = await GraphQLSocket.open(live.ws_url)
    ack = await socket.init(member.token)
    assert ack["type"] == "connection_ack", ack
    await socket.subscribe(RANKING_FEED, {"groupId": member.group_id})
    await until_feed_is_live(member, socket)
    return socket


async def heard(socket: GraphQLSocket, quiet_s: float) -> list[tuple[float, dict[str, Any]]]:
    """The events heard until none came for `quiet_s`, with when each came (loop time)."""
    events: list[tuple[float, dict[str, Any]]] = []
    loop = asyncio.get_running_loop()
    while True:
        try:
            event = (await socket.data(quiet_s))["groupFeed"]
        except TimeoutError:
            return events
        events.append((loop.time(), event))


async def test_a_recorded_score_tells_the_feed_which_ranking_changed(
    live: LiveServer, clock: Clock
) -> None:
    alice = await join(live.api, "alice")
    await define(alice, "checkins")
    socket = await ranking_feed(live, alice)

    loop = asyncio.get_running_loop()
    recorded = loop.time()
    await record(alice, "checkins", 1)

    assert (await socket.data(INTERVAL_S))["groupFeed"] == {
        "__typename": "RankingChanged",
        "metric": "checkins",
        "period": "DAY",
        "date": today(clock.now).isoformat(),
    }
    assert loop.time() - recorded < 0.8 * INTERVAL_S  # at once, not after the interval
    assert await heard(socket, quiet_s=2 * INTERVAL_S) == []  # and nothing more
    await socket.close()


async def test_a_burst_of_scores_is_told_at_once_and_at_most_once_more(
    live: LiveServer,
) -> None:
    alice = await join(live.api, "alice")
    members = [alice] + [await join(live.api, f"m{n}") for n in range(4)]
    await define(alice, "checkins")
    socket = await ranking_feed(live, alice)
    loop = asyncio.get_running_loop()

    started = loop.time()
    await asyncio.gather(*(record(members[n % 5], "checkins", n) for n in range(20)))
    burst_s = loop.time() - started
    events = await heard(socket, quiet_s=3 * INTERVAL_S)

    assert {event["__typename"] for _, event in events} == {"RankingChanged"}
    assert {event["metric"] for _, event in events} == {"checkins"}
    # One at once, one for what changed after it once the interval ended (and, only if the
    # burst outlasted intervals, one per interval more); a server on a busy loop may deliver
    # the first late, but none is sent before its interval.
    assert 2 <= len(events) <= 2 + int(burst_s / INTERVAL_S), (burst_s, events)
    for n, (at, _) in enumerate(events):
        assert at - started >= n * INTERVAL_S * 0.9, (n, at - started)
    await socket.close()


async def test_each_metric_is_told_on_its_own(live: LiveServer, clock: Clock) -> None:
    alice = await join(live.api, "alice")
    await define(alice, "checkins")
    await define(alice, "quiz", "Quiz", "MAX")
    await send_steps(alice, last_days(clock.now, 5000), made_at=clock.now)
    socket = await ranking_feed(live, alice)

    await record(alice, "checkins", 1)
    await record(alice, "checkins", 2)
    await record(alice, "quiz", 70)
    await opt_in(alice)
    await alice.say("hello")

    events = [event for _, event in await heard(socket, quiet_s=2 * INTERVAL_S)]
    told = Counter(
        (e["metric"], e["period"]) for e in events if e["__typename"] == "RankingChanged"
    )
    # Quiz and steps are told though check-ins were just told; the second check-in once the
    # interval ended, and the opt-in (which changes today's ranking, and every longer one)
    # after the steps it put. A post's ItemPosted tells a posts leaderboard already.
    assert told == {
        ("checkins", "DAY"): 2,
        ("quiz", "DAY"): 1,
        ("steps", "DAY"): 2,
    }
    assert [event["__typename"] for event in events].count("ItemPosted") == 1
    await socket.close()
