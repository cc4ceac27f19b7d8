"""Search: precision and recall on the judged set (groupql beside whitespace tokens and LIKE, in
one run), and what a search page costs in groups of 1,000, 10,000 and 100,000 items.

Both run groupql's real store queries and matching (SearchService on the store's term index).
The store is the in-memory engine, or the MongoDB that GROUPQL_BENCH_MONGODB_URL names.
"""

import os
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from pymongo import monitoring

from benchmarks import search_quality
from benchmarks.search_corpus import CORPUS, JudgedItem
from benchmarks.timing import format_ms
from groupql.records import (
    Group,
    GroupKind,
    Item,
    ItemContent,
    ItemType,
    Link,
    Media,
    Poll,
    SearchFilters,
)
from groupql.services.search import SearchLimits, SearchService
from groupql.store import Database, Store, connect
from groupql.store.indexes import migrate
from groupql.store.items import stored

SIZES = (1_000, 10_000, 100_000)
PAGE = 20
RUNS = 5
# From frequent to rare in the corpus, one of each kind: a common word, a mixed query, a phrase,
# a number, a word whose characters mostly stand across words (most candidates are rejected).
SPEED_QUERIES = ("物业", "部署 deploy", "长江大桥", "v2.1", "和服")
_START = datetime(2026, 1, 1, tzinfo=UTC)


class _RoundTrips(monitoring.CommandListener):
    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@dataclass(frozen=True)
class Seeded:
    database: Database
    service: SearchService
    group: Group
    round_trips: _RoundTrips


async def seeded(items: Sequence[JudgedItem], count: int) -> Seeded:
    """A group of `count` items, the corpus's in turn, written as the store writes items (with
    their terms); indexes are built after, as `groupql migrate` builds them on a full database."""
    round_trips = _RoundTrips()
    url = os.environ.get("GROUPQL_BENCH_MONGODB_URL", "memory://")
    database = connect(url, f"groupql_bench_{uuid.uuid4().hex[:8]}", event_listeners=[round_trips])
    group = Group(
        id=str(ObjectId()),
        appid="wxbench",
        open_gid=None,
        kind=GroupKind.APP_GROUP,
        chat_type=None,
        title="bench",
        owner_id=None,
        created_at=_START,
    )
    documents = [stored(_item(group.id, n, items[n % len(items)])) for n in range(count)]
    for start in range(0, count, 1000):
        await database.items.insert_many(documents[start : start + 1000])
    await migrate(database.collections())
    store = Store.on(database)
    limits = SearchLimits(scan_depth=2000, candidates_per_page=500)
    service = SearchService(store=store, candidates=store.item_search, limits=limits)
    return Seeded(database, service, group, round_trips)


def _item(group_id: str, n: int, judged: JudgedItem) -> Item:
    content = ItemContent(text=judged.text or None)
    if judged.poll_options:
        content = replace(content, poll=Poll(options=Poll.numbered(judged.poll_options)))
    if judged.link_title is not None:
        content = replace(content, link=Link("https://example.com/", judged.link_title))
    if judged.file_name is not None:
        media = Media("https://cdn.example.com/f", "application/pdf", 1, name=judged.file_name)
        content = replace(content, media=(media,))
    return Item(
        id=str(ObjectId()),
        group_id=group_id,
        seq=n + 1,
        type=ItemType(judged.type),
        author_id="bench-author",
        content=content,
        reply_to=None,
        created_at=_START + timedelta(seconds=n),
        client_id=f"corpus-{n}",
    )


async def judged_scores() -> list[search_quality.Scores]:
    """The baselines and groupql, on the whole judged set."""
    corpus = await seeded(CORPUS, len(CORPUS))

    async def groupql(query: str) -> set[int]:
        found: set[int] = set()
        after = None
        while True:
            page = await corpus.service.in_group(
                corpus.group, query, SearchFilters(), first=100, after=after
            )
            found |= {_corpus_index(hit.item) for _, hit in page.edges}
            if not page.has_next_page:
                return found
            after = page.end_cursor

    try:
        return [*await search_quality.baselines(), await search_quality.score("groupql", groupql)]
    finally:
        await corpus.database.close()


def _corpus_index(item: Item) -> int:
    assert item.client_id is not None
    return int(item.client_id.removeprefix("corpus-"))


@dataclass(frozen=True)
class PageCost:
    items: int
    query: str
    median_s: float
    round_trips: int
    hits: int


async def page_costs() -> list[PageCost]:
    costs = []
    for size in SIZES:
        group = await seeded(CORPUS, size)
        try:
            for query in SPEED_QUERIES:
                costs.append(await _page_cost(group, size, query))
        finally:
            await group.database.close()
    return costs


async def _page_cost(group: Seeded, size: int, query: str) -> PageCost:
    samples = []
    hits = round_trips = 0
    for _ in range(RUNS):
        group.round_trips.count = 0
        start = time.perf_counter()
        page = await group.service.in_group(
            group.group, query, SearchFilters(), first=PAGE, after=None
        )
        samples.append(time.perf_counter() - start)
        hits, round_trips = len(page.edges), group.round_trips.count
    return PageCost(size, query, statistics.median(samples), round_trips, hits)


def quality_rows(results: list[search_quality.Scores]) -> list[tuple[str, ...]]:
    return search_quality.rows(results)


def cost_rows(costs: list[PageCost]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("items", "query", "first page", "round trips", "hits")]
    rows += [
        (f"{cost.items:,}", cost.query, format_ms(cost.median_s), str(cost.round_trips),
         str(cost.hits))
        for cost in costs
    ]  # fmt: skip
    return rows


def worst(results: list[search_quality.Scores]) -> list[str]:
    return search_quality.failures(results[-1], limit=8, examples=2)
