"""The cold page in process: the http benchmark's group page, sent as query text with the
response cache off, through the ASGI app, timed by this process's CPU clock.

A steadier figure than the http table's on a shared machine, and one that callgrind can count:
run it at two request counts under `valgrind --tool=callgrind` and the difference of the two
totals, over the difference of the counts, is the instructions of one request (the seeding and
the warm-up cancel out), the same however busy the machine is:

    GROUPQL_BENCH_COLD_REQUESTS=10 valgrind --tool=callgrind python -m benchmarks cold
    GROUPQL_BENCH_COLD_REQUESTS=40 valgrind --tool=callgrind python -m benchmarks cold

GROUPQL_BENCH_COLD_PART names a part of the page to run instead (PARTS), to see what each part
of it costs by the same two counts.

Nothing changes between the requests, so what the store keeps (groupql.store.kept_reads: the
viewer, the group, the membership, the users, the counts) is kept for every one of them.
GROUPQL_BENCH_COLD_CHANGED names collections (`items,members`) whose scopes of the page's group
are moved before each request, as a write there would move them (a post moves `items`, a read
marker `members`): the page after such a change, what it reads again and what it still keeps;
`all` moves every collection's, so that nothing is kept (every read goes to the store).
"""

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.feed import seeded_feed
from benchmarks.http_compare import PAGE
from groupql import collector
from groupql.store.watched import SCOPE_KEYS
from groupql.versions import ALL, scope

REQUESTS = int(os.environ.get("GROUPQL_BENCH_COLD_REQUESTS", "500"))
_USER = "{ id nickname avatarUrl }"
_MEMBERS = "members(first: $first) { edges { cursor node { id role status joinedAt%s } } }"
_ITEMS = "items(first: $first) { edges { cursor node { id seq type text createdAt%s } } }"
# Parts of the page, each a query of its own; `page` is the whole of it.
PARTS = {
    "typename": "{ __typename }",
    "group": "query($id: ID!) { group(id: $id) { id } }",
    "group-fields": "query($id: ID!) { group(id: $id) "
    "{ id openGId kind title memberCount lastSeq } }",
    "members-page": "query($id: ID!, $first: Int) { group(id: $id) { id members(first: $first) "
    "{ pageInfo { hasNextPage } } } }",
    "members": f"query($id: ID!, $first: Int) {{ group(id: $id) {{ id {_MEMBERS % ''} }} }}",
    "members-users": "query($id: ID!, $first: Int) { group(id: $id) { id "
    + _MEMBERS % f" user {_USER}"
    + " } }",
    "items-page": "query($id: ID!, $first: Int) { group(id: $id) { id items(first: $first) "
    "{ pageInfo { hasNextPage } } } }",
    "items": f"query($id: ID!, $first: Int) {{ group(id: $id) {{ id {_ITEMS % ''} }} }}",
    "items-authors": "query($id: ID!, $first: Int) { group(id: $id) { id "
    + _ITEMS % f" author {_USER}"
    + " } }",
    "page": PAGE,
}
PART = os.environ.get("GROUPQL_BENCH_COLD_PART", "page")
CHANGED = [one for one in os.environ.get("GROUPQL_BENCH_COLD_CHANGED", "").split(",") if one]
ROUNDS = 5
WARM_UP = 10


@dataclass(frozen=True)
class ColdPage:
    part: str
    requests: int
    cpu_per_request_s: list[float]  # one per round


async def run(part: str = PART, changed: Sequence[str] = CHANGED) -> ColdPage:
    query = PARTS[part]
    async with seeded_feed() as feed:
        variables = {name: value for name, value in feed.variables.items() if f"${name}" in query}
        body = {"query": query, "variables": variables}
        headers = {"Authorization": f"Bearer {feed.token}"}
        versions = feed.app.state.running.database.versions
        group_id = feed.variables["id"]
        moved = [
            scope(name, ALL) if "all" in changed else scope(name, group_id)
            for name in (SCOPE_KEYS if "all" in changed else changed)
        ]

        async def pages(count: int) -> None:
            for _ in range(count):
                if moved:
                    await versions.moved(moved)
                response = await feed.http.post("/graphql", json=body, headers=headers)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"the cold {part} failed: {response.text[:500]}")

        await pages(WARM_UP)
        collector.settle_after_start()  # as `groupql serve` does once it is up
        per_round = max(1, REQUESTS // ROUNDS)
        rounds = []
        for _ in range(ROUNDS):
            started = time.process_time()
            await pages(per_round)
            rounds.append((time.process_time() - started) / per_round)
    return ColdPage(part, per_round * ROUNDS, rounds)
