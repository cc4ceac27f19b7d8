"""Runs every benchmark on one seeded app and prints a table."""

import asyncio
import os
import time

from benchmarks import http_stack, query_caches
from benchmarks.feed import PAGE_SIZE, seeded_feed
from benchmarks.timing import format_ms


async def main() -> None:
    started = time.perf_counter()
    async with seeded_feed() as feed:
        caches = await query_caches.run(feed)
        http = await http_stack.run(feed)
    ratios = ", ".join(f"{ratio:.2f}" for ratio in caches.round_ratios)
    rows = [
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
    print(
        f"Group page: {PAGE_SIZE} items with authors + {PAGE_SIZE} members, "
        f"in-memory store, {os.cpu_count()} CPUs. Times are medians per operation."
    )
    width = [max(len(row[column]) for row in rows) for column in range(3)]
    for benchmark, measure, value in rows:
        print(f"{benchmark:<{width[0]}}  {measure:<{width[1]}}  {value}")
    print(f"({time.perf_counter() - started:.0f} s in all)")


asyncio.run(main())
