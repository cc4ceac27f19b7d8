"""What a post costs as its group grows: store round trips, writes and server time of a plain
post, one mentioning 30 members and an @all, in groups of 10, 100 and 1,000 members.

Unread counts cost no write per member, and an @all writes one notification for the group:
so every figure but the mentioned members' notifications stays flat as the group grows.
"""

import statistics
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import httpx
from pymongo import monitoring

from benchmarks.feed import APPID, JOIN, SECRET_KEY, graphql_data, share_ticket
from benchmarks.timing import format_ms
from groupql.app import create_app
from groupql.config import Settings

GROUP_SIZES = (10, 100, 1000)
POSTS = 30
MENTIONS = 30
POST = """
mutation($input: PostItemInput!) { postItem(input: $input) { seq } }
"""
_WRITES = frozenset({"insert", "update", "findAndModify", "delete"})


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []
        self.documents = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)
        if event.command_name == "insert":
            self.documents += len(event.command.get("documents", ()))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def reset(self) -> None:
        self.names.clear()
        self.documents = 0


@dataclass
class Cost:
    size: int
    kind: str
    round_trips: float
    writes: float
    documents_inserted: float
    median_s: float


@asynccontextmanager
async def group_of(
    size: int, commands: Commands
) -> AsyncIterator[tuple[httpx.AsyncClient, str, list[str], list[str]]]:
    """An app whose group has `size` members: its client, the group, tokens and user ids."""
    settings = Settings(
        secret_key=SECRET_KEY,
        wechat_appid=APPID,
        mongodb_url="memory://",
        rate_logins_per_min=0,
        rate_anonymous_per_min=0,
        rate_writes_per_min=0,
        rate_mention_all_per_hour=0,
    )
    app = create_app(settings, mongo_listeners=[commands])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://groupql.bench") as http:
            tokens, user_ids, group_id = [], [], ""
            for n in range(size):
                code = f"member-{n}"
                login = await graphql_data(
                    http,
                    "mutation($code: String!) { login(code: $code) { token viewer { id } } }",
                    {"code": code},
                )
                token = login["login"]["token"]
                joined = await graphql_data(
                    http, JOIN, share_ticket(code, APPID, f"G-{size}"), token=token
                )
                group_id = joined["resolveShareTicket"]["group"]["id"]
                tokens.append(token)
                user_ids.append(login["login"]["viewer"]["id"])
            yield http, group_id, tokens, user_ids


async def measure(size: int) -> list[Cost]:
    commands = Commands()
    costs = []
    async with group_of(size, commands) as (http, group_id, tokens, user_ids):
        owner = tokens[0]
        kinds: dict[str, dict[str, Any]] = {
            "plain post": {},
            f"mentioning {min(MENTIONS, size - 1)}": {"mentions": user_ids[1 : MENTIONS + 1]},
            "@all": {"mentionAll": True},
        }
        for kind, extra in kinds.items():
            trips, writes, documents, times = [], [], [], []
            for n in range(POSTS):
                commands.reset()
                started = perf_counter()
                await graphql_data(
                    http,
                    POST,
                    {"input": {"groupId": group_id, "text": f"{kind} {n}", **extra}},
                    token=owner,
                )
                times.append(perf_counter() - started)
                trips.append(len(commands.names))
                writes.append(sum(1 for name in commands.names if name in _WRITES))
                documents.append(commands.documents)
            costs.append(
                Cost(
                    size,
                    kind if not kind.startswith("mentioning") else "mentioning 30",
                    statistics.median(trips),
                    statistics.median(writes),
                    statistics.median(documents),
                    statistics.median(times),
                )
            )
    return costs


async def run() -> list[Cost]:
    return [cost for size in GROUP_SIZES for cost in await measure(size)]


def rows(costs: list[Cost]) -> list[list[str]]:
    smallest = {cost.kind: cost for cost in costs if cost.size == GROUP_SIZES[0]}
    table = [
        ["members", "post", "round trips", "writes", "docs inserted", "median", "÷ 10 members"]
    ]
    for cost in costs:
        base = smallest[cost.kind]
        table.append(
            [
                str(cost.size),
                cost.kind,
                f"{cost.round_trips:.0f}",
                f"{cost.writes:.0f}",
                f"{cost.documents_inserted:.0f}",
                format_ms(cost.median_s),
                f"{cost.median_s / base.median_s:.2f}x",
            ]
        )
    return table
