"""Live fan-out: from postItem returning to the last of N subscribers of one group receiving it."""

import asyncio
import gc
import math
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from statistics import median
from time import perf_counter
from typing import Any

import httpx

from benchmarks.feed import JOIN, LOGIN, POST, graphql_data, share_ticket
from benchmarks.served_app import ServedApp, served_app
from benchmarks.subscribers import (
    FEED,
    FEED_PER_VIEWER,
    FEED_WITHOUT_AUTHOR,
    FeedSubscribers,
    subscribed,
)
from benchmarks.timing import format_ms
from groupql.config import DEV_APPID

PAUSE_S = 0.1
DELIVERY_TIMEOUT_S = 60.0
SEEDING_AT_ONCE = 8
OPEN_GID = "G-fanout"


@dataclass(frozen=True)
class Case:
    feed: str
    query: str
    subscribers: int
    posts: int


# Each feed document's first case, with one subscriber, is its baseline. The subscribers of an
# event on one instance share its loaders, so the author is read once per event, not once per
# subscriber (before that, 1,000 subscribers took 8 s per post: docs/performance.md); and
# those who read it alike share its result (groupql.schema.shared_results), which a field
# read per viewer (item+viewer) rules out.
CASES = (
    Case("item", FEED_WITHOUT_AUTHOR, subscribers=1, posts=30),
    Case("item", FEED_WITHOUT_AUTHOR, subscribers=100, posts=30),
    Case("item", FEED_WITHOUT_AUTHOR, subscribers=1000, posts=20),
    Case("item+author", FEED, subscribers=1, posts=30),
    Case("item+author", FEED, subscribers=100, posts=30),
    Case("item+author", FEED, subscribers=1000, posts=20),
    Case("item+viewer", FEED_PER_VIEWER, subscribers=1, posts=30),
    Case("item+viewer", FEED_PER_VIEWER, subscribers=1000, posts=20),
)


@dataclass(frozen=True)
class PostTimings:
    """Per post: its round trip, and its first and last delivery after it returned."""

    post_s: list[float]
    last_delivery_s: list[float]
    first_delivery_s: list[float]
    server_cpu_s: float
    client_cpu_s: float


@dataclass(frozen=True)
class FanoutResult:
    case: Case
    timings: PostTimings
    rss_idle_bytes: int
    rss_subscribed_bytes: int

    @property
    def subscribers(self) -> int:
        return self.case.subscribers

    @property
    def posts(self) -> int:
        return len(self.timings.post_s)

    def sent_to_last_s(self) -> float:
        """Median time from sending postItem to the last delivery: above zero even at N = 1."""
        timings = self.timings
        return median(map(sum, zip(timings.post_s, timings.last_delivery_s, strict=True)))

    def server_cpu_per_post_s(self) -> float:
        return self.timings.server_cpu_s / self.posts

    def client_cpu_per_post_s(self) -> float:
        return self.timings.client_cpu_s / self.posts

    def bytes_per_socket(self) -> float:
        return (self.rss_subscribed_bytes - self.rss_idle_bytes) / self.subscribers


def percentile(samples: Sequence[float], percent: float) -> float:
    """Nearest rank: of fewer than 100 samples, the 99th percentile is the largest."""
    ordered = sorted(samples)
    return ordered[math.ceil(percent / 100 * len(ordered)) - 1]


def run() -> list[FanoutResult]:
    """Every case, each on a fresh server, with the client on uvloop when it is installed."""
    return _run_client(_measure_all())


def _run_client(coroutine: Coroutine[Any, Any, list[FanoutResult]]) -> list[FanoutResult]:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


async def _measure_all() -> list[FanoutResult]:
    return [await measure(case) for case in CASES]


async def measure(case: Case) -> FanoutResult:
    """A fresh server per case, so that its memory before the sockets is its own."""
    # Every subscriber logs in from this one address: the rate limits stay off.
    no_limits = {"GROUPQL_RATE_LOGINS_PER_MIN": "0", "GROUPQL_RATE_ANONYMOUS_PER_MIN": "0"}
    async with served_app(no_limits) as app, httpx.AsyncClient(base_url=app.http_url) as http:
        poster, group_id, tokens = await _seed(http, case.subscribers)

        async def post() -> int:
            data = await graphql_data(http, POST, {"g": group_id}, token=poster)
            seq: int = data["postItem"]["seq"]
            return seq

        # The first socket loads code the server imports lazily; that is not memory per socket.
        async with subscribed(app.ws_url, [poster], group_id, 0, case.query) as first:
            warm_up_seq = await post()
            await first.delivered(warm_up_seq, DELIVERY_TIMEOUT_S)
        rss_idle = await _settled_rss(app)
        async with subscribed(app.ws_url, tokens, group_id, warm_up_seq, case.query) as everyone:
            await everyone.delivered(await post(), DELIVERY_TIMEOUT_S)
            rss_subscribed = await _settled_rss(app)
            timings = await _timed_posts(case.posts, app, everyone, post)
    return FanoutResult(case, timings, rss_idle, rss_subscribed)


async def _timed_posts(
    posts: int, app: ServedApp, subscribers: FeedSubscribers, post: Callable[[], Awaitable[int]]
) -> PostTimings:
    post_s: list[float] = []
    last: list[float] = []
    first: list[float] = []
    server_cpu_s = client_cpu_s = 0.0
    for _ in range(posts):
        # One post at a time, after the last one reached everyone: latency, not a backlog.
        gc.collect()
        await asyncio.sleep(PAUSE_S)
        server_cpu_before, client_cpu_before = app.cpu_s(), time.process_time()
        sent = perf_counter()
        seq = await post()
        returned = perf_counter()
        delivery = await subscribers.delivered(seq, DELIVERY_TIMEOUT_S)
        server_cpu_s += app.cpu_s() - server_cpu_before
        client_cpu_s += time.process_time() - client_cpu_before
        post_s.append(returned - sent)
        last.append(delivery.last_at - returned)
        first.append(delivery.first_at - returned)
    return PostTimings(post_s, last, first, server_cpu_s, client_cpu_s)


async def _settled_rss(app: ServedApp) -> int:
    await asyncio.sleep(0.5)
    return app.rss_bytes()


async def _seed(http: httpx.AsyncClient, subscriber_count: int) -> tuple[str, str, list[str]]:
    """A poster who creates the group, then the subscribers, all joined by share ticket."""

    async def member(code: str) -> tuple[str, str]:
        token: str = (await graphql_data(http, LOGIN, {"code": code}))["login"]["token"]
        ticket = share_ticket(code, DEV_APPID, OPEN_GID)
        joined = await graphql_data(http, JOIN, ticket, token=token)
        return token, joined["resolveShareTicket"]["group"]["id"]

    poster, group_id = await member("fanout-poster")
    seeding = asyncio.Semaphore(SEEDING_AT_ONCE)

    async def subscriber(n: int) -> str:
        async with seeding:
            token, _ = await member(f"fanout-subscriber-{n}")
            return token

    tokens = await asyncio.gather(*(subscriber(n) for n in range(subscriber_count)))
    return poster, group_id, list(tokens)


def rows(results: list[FanoutResult]) -> list[tuple[str, ...]]:
    """The table: a header, then one row per case, compared with its feed's first case."""
    header = (
        "feed",
        "N",
        "posts",
        "postItem",
        "last: median",
        "p99 (max)",
        "first: median",
        "sent-to-last vs N=1",
        "server CPU/post",
        "per extra subscriber",
        "client CPU/post",
        "RSS/idle socket",
    )
    baselines: dict[str, FanoutResult] = {}
    body = []
    for result in results:
        baseline = baselines.setdefault(result.case.feed, result)
        timings = result.timings
        extra = result.subscribers - baseline.subscribers
        extra_cpu_s = result.server_cpu_per_post_s() - baseline.server_cpu_per_post_s()
        body.append(
            (
                result.case.feed,
                str(result.subscribers),
                str(result.posts),
                format_ms(median(timings.post_s)),
                format_ms(median(timings.last_delivery_s)),
                format_ms(percentile(timings.last_delivery_s, 99)),
                format_ms(median(timings.first_delivery_s)),
                f"{result.sent_to_last_s() / baseline.sent_to_last_s():.1f}x",
                format_ms(result.server_cpu_per_post_s()),
                format_ms(extra_cpu_s / extra) if extra else "-",
                format_ms(result.client_cpu_per_post_s()),
                f"{result.bytes_per_socket() / 1024:.1f} KiB" if extra else "-",
            )
        )
    return [header, *body]
