"""Runs the benchmarks and prints their tables: `python -m benchmarks [page | http | ...]`."""

import argparse
import asyncio
import os
import time
from collections.abc import Sequence

from benchmarks import (
    attention,
    cold_page,
    fanout,
    http_compare,
    http_stack,
    posting,
    query_caches,
    rankings,
    scale,
    search,
    uploads,
)
from benchmarks.feed import PAGE_SIZE, seeded_feed
from benchmarks.timing import format_ms


async def group_page() -> None:
    async with seeded_feed() as feed:
        caches = await query_caches.run(feed)
        http = await http_stack.run(feed)
    ratios = ", ".join(f"{ratio:.2f}" for ratio in caches.round_ratios)
    print(
        f"Group page: {PAGE_SIZE} items with authors + {PAGE_SIZE} members, "
        f"in-memory store, {os.cpu_count()} CPUs. Times are medians per operation."
    )
    print_table(
        [
            ("query_caches", "baseline: no parser/validation cache", format_ms(caches.baseline_s)),
            ("query_caches", "production schema (groupql.schema)", format_ms(caches.cached_s)),
            ("query_caches", "ratio baseline / production", f"{caches.ratio:.2f}x"),
            ("query_caches", "  ratio per round", ratios),
            ("query_caches", "  parser cache", str(caches.parse_cache)),
            ("query_caches", "  validation cache", str(caches.validation_cache)),
            ("http_stack", "POST /graphql through the ASGI app", format_ms(http.request_s)),
            ("http_stack", "production schema.execute alone", format_ms(http.execute_s)),
            ("http_stack", "ratio request / execute", f"{http.ratio:.2f}x"),
        ]
    )


def cold_page_cpu() -> None:
    cold = asyncio.run(cold_page.run())
    rounds = ", ".join(format_ms(one) for one in cold.cpu_per_request_s)
    print(
        f"Cold page in process ({cold.part} of cold_page.PARTS): the http table's page as "
        "query text, response cache off, "
        + (
            f"the group's {', '.join(cold_page.CHANGED)} moved before each request, "
            if cold_page.CHANGED
            else ""
        )
        + f"{cold.requests} requests through the ASGI app in {len(cold.cpu_per_request_s)} "
        "rounds; this process's CPU per request."
    )
    print_table(
        [
            ("cold", "CPU per request, fastest round", format_ms(min(cold.cpu_per_request_s))),
            ("cold", "  each round", rounds),
        ]
    )


def http_peers() -> None:
    results = http_compare.run()
    print(
        f"Group page over HTTP: one server process each on loopback, {http_compare.CONNECTIONS} "
        f"connections from autocannon, {http_compare.ROUNDS} x {http_compare.RUN_S} s per server "
        f"interleaved, {os.cpu_count()} CPUs. Medians (min-max) over the rounds; server CPU from "
        "/proc."
    )
    print_table(http_compare.rows(results))


def live_fanout() -> None:
    results = fanout.run()
    print(
        f"Live fan-out: `groupql serve` in its own process (in-memory store) and one client "
        f"process holding N sockets subscribed to one group's feed, {os.cpu_count()} CPUs. "
        "Deliveries are timed from postItem returning; a p99 of fewer than 100 posts is the max."
    )
    print_table(fanout.rows(results))


def seq_allocation() -> None:
    print(
        f"Posting: K writers posting {posting.POSTS_PER_WRITER} items each to one group at once, "
        f"in-memory store {posting.ROUND_TRIP_S * 1000:.0f} ms of simulated network away."
    )
    print_table(posting.rows(posting.run()))


def attention_costs() -> None:
    print(
        f"Attention: a post by the owner in groups of {', '.join(map(str, attention.GROUP_SIZES))} "
        f"members (in-memory store, medians of {attention.POSTS} posts each); 'mentioning 30' "
        "names 30 members (9 in the group of 10)."
    )
    print_table(attention.rows(asyncio.run(attention.run())))


def upload_costs() -> None:
    print(
        f"Uploads and checked posts: medians of {uploads.ROUNDS} uploads and "
        f"{uploads.POSTS} posts, through the ASGI app, in-memory store, local media directory."
    )
    print_table(uploads.rows(asyncio.run(uploads.run())))


def search_quality_and_costs() -> None:
    results = asyncio.run(search.judged_scores())
    print(
        "Search, judged set: 2,400 group-chat items (Chinese, English, mixed), 124 queries; "
        "precision / recall, micro (over all query-item pairs) and macro (mean over queries)."
    )
    print_table(search.quality_rows(results))
    print("groupql's worst queries (+ found but not wanted, - wanted but not found):")
    for line in search.worst(results):
        print(f"  {line}")
    print()
    print(
        f"Search page costs: the first {search.PAGE} hits of Group.search, medians of "
        f"{search.RUNS} runs, in-memory store unless GROUPQL_BENCH_MONGODB_URL names a MongoDB."
    )
    print_table(search.cost_rows(asyncio.run(search.page_costs())))


def ranking_costs() -> None:
    print(
        "Rankings: groups of 100, 1,000 and 10,000 members with a steps score each (some tied) "
        f"and a check-in metric, in-memory store, medians of {rankings.RUNS} runs; the viewer "
        "ranks near the middle."
    )
    print_table(rankings.rows(asyncio.run(rankings.run())))


def scale_costs() -> None:
    print(
        f"Scale: a group page, a login and a join by share ticket through the ASGI app, on an "
        f"in-memory store of {scale.SMALL.name} and on one of {scale.LARGE.name} (the page's "
        f"group the same in both), medians of {scale.ROUNDS} interleaved rounds "
        f"({scale.ROUNDS_WITHOUT_INDEXES} without the engine's indexes); goal: within "
        f"{scale.GOAL}x."
    )
    print_table(scale.rows(asyncio.run(scale.run())))


def print_table(rows: Sequence[Sequence[str]]) -> None:
    width = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(f"{cell:<{width[column]}}" for column, cell in enumerate(row)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "only",
        nargs="?",
        choices=(
            "page",
            "cold",
            "http",
            "posting",
            "fanout",
            "attention",
            "uploads",
            "search",
            "rankings",
            "scale",
        ),
        help="run one benchmark only",
    )
    only = parser.parse_args().only
    started = time.perf_counter()
    for name, benchmark in (
        ("page", lambda: asyncio.run(group_page())),
        ("cold", cold_page_cpu),
        ("http", http_peers),
        ("posting", seq_allocation),
        ("fanout", live_fanout),
        ("attention", attention_costs),
        ("uploads", upload_costs),
        ("search", search_quality_and_costs),
        ("rankings", ranking_costs),
        ("scale", scale_costs),
    ):
        if only in (None, name):
            benchmark()
            print()
    print(f"({time.perf_counter() - started:.0f} s in all)")


main()
