"""Rankings: what a ranking page (with the viewer's own rank) and a recorded score cost in groups
of 100, 1,000 and 10,000 members.

Runs groupql's RankingService, built as the app builds it, on a group seeded straight into the
store (and indexed after, as `groupql migrate` finds a full database): every member opted in to
steps, with today's steps (seeded at random, some at round thousands, so ranks tie), and one
check-in today in a metric the group defined. What the timed calls return is checked: each page's
ranks, members, scores and cursors and the viewer's rank against the seeded steps, the recorded
check-ins against the runs.
The store is the in-memory engine, or the MongoDB that GROUPQL_BENCH_MONGODB_URL names.
"""

import math
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bson import ObjectId
from pymongo import monitoring

from benchmarks.feed import APPID, SECRET_KEY
from benchmarks.timing import format_ms
from groupql.config import Settings
from groupql.outside import Outside
from groupql.records import (
    Aggregation,
    Group,
    GroupKind,
    Member,
    MemberStatus,
    RankingPeriod,
    Role,
    Score,
    ScoreRecord,
    User,
)
from groupql.services.membership import Access
from groupql.services.metrics import STEPS, MetricService
from groupql.services.pagination import Page, encode_cursor
from groupql.services.ranking_periods import local_day, span, spans_of
from groupql.services.rankings import RankingEntry, RankingService
from groupql.store import Database, Store, connect
from groupql.store.collection import Collection, Document
from groupql.store.groups import GROUPS
from groupql.store.indexes import migrate
from groupql.store.members import MEMBERS
from groupql.store.score_records import SCORE_RECORDS
from groupql.store.scores import SCORES
from groupql.wiring import build_services

SIZES = (100, 1_000, 10_000)
PAGE = 20
RUNS = 5
CHECK_INS = "checkIns"
# A fixed now (noon in Beijing): the seeded day is the service's today whenever this runs.
_NOW = datetime(2026, 3, 18, 4, 0, tzinfo=UTC)
_BATCH = 1_000
_WRITES = frozenset({"insert", "update", "findAndModify", "delete"})
T = TypeVar("T")


class _Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    @property
    def writes(self) -> int:
        return sum(1 for name in self.names if name in _WRITES)


@dataclass(frozen=True)
class Standing:
    """A member's place as the seeded steps say it is."""

    rank: int
    user_id: str
    steps: int


@dataclass(frozen=True)
class Seeded:
    database: Database
    outside: Outside
    rankings: RankingService
    metrics: MetricService
    viewer: User
    access: Access
    standings: list[Standing]
    commands: _Commands


async def seeded(size: int) -> Seeded:
    """A group of `size` members, its rankings service, and a viewer ranked in the middle."""
    commands = _Commands()
    url = os.environ.get("GROUPQL_BENCH_MONGODB_URL", "memory://")
    name = f"groupql_bench_{uuid.uuid4().hex[:8]}"
    settings = Settings(secret_key=SECRET_KEY, wechat_appid=APPID, mongodb_url=url, mongodb_db=name)
    database = connect(url, name, event_listeners=[commands])
    outside = await Outside.reach(settings, database, _clock)
    services = build_services(settings, Store.on(database), outside, _clock)
    user_ids = [str(ObjectId()) for _ in range(size)]
    group = Group(
        id=str(ObjectId()),
        appid=APPID,
        open_gid=f"G-rankings-{size}",
        kind=GroupKind.WECHAT_GROUP,
        chat_type=None,
        title=f"{size} walkers",
        owner_id=user_ids[0],
        created_at=_NOW - timedelta(days=90),
    )
    steps = dict(zip(user_ids, _steps(size), strict=True))
    await _seed(database, group, steps, settings.tz)
    await migrate(database.collections())
    await services.metrics.define_metric(
        _user(user_ids[0]),
        group.id,
        key=CHECK_INS,
        name="Check-ins",
        aggregation=Aggregation.SUM,
        unit="days",
    )
    standings = _standings(steps)
    viewer = _user(standings[size // 2].user_id)
    access = await services.membership.access(viewer, group.id)
    return Seeded(
        database, outside, services.rankings, services.metrics, viewer, access, standings, commands
    )


async def _seed(database: Database, group: Group, steps: dict[str, int], zone: ZoneInfo) -> None:
    """The group; its members, opted in to steps; their steps today; a check-in each today, with
    its scores of the day, week, month and all time (as recordScore leaves them)."""
    today = local_day(_NOW, zone)
    day = span(RankingPeriod.DAY, today, zone).key
    scores = [
        Score(group.id, STEPS.key, day, user_id, count, _NOW, int(_NOW.timestamp()))
        for user_id, count in steps.items()
    ]
    scores += [
        Score(group.id, CHECK_INS, one.key, user_id, 1, _NOW, 1)
        for user_id in steps
        for one in spans_of(today, zone)
    ]
    check_ins = [
        ScoreRecord(
            group.id, CHECK_INS, user_id, "seeded", 1, today, user_id, _NOW, group.created_at
        )
        for user_id in steps
    ]
    await database.groups.insert_one(GROUPS.document(group))
    await _insert(database.members, [MEMBERS.document(_member(group, one)) for one in steps])
    await _insert(database.scores, [SCORES.document(one) for one in scores])
    await _insert(database.score_records, [SCORE_RECORDS.document(one) for one in check_ins])


def _clock() -> datetime:
    return _NOW


def _steps(size: int) -> list[int]:
    """A day's steps, around 6,000; a tenth stop at a round thousand (a goal), so ranks tie."""
    rng = random.Random(size)
    steps = [int(rng.lognormvariate(math.log(6_000), 0.6)) for _ in range(size)]
    return [round(one, -3) if rng.random() < 0.1 else one for one in steps]


def _member(group: Group, user_id: str) -> Member:
    return Member(
        id=str(ObjectId()),
        group_id=group.id,
        user_id=user_id,
        role=Role.ADMIN if user_id == group.owner_id else Role.MEMBER,
        status=MemberStatus.ACTIVE,
        joined_at=group.created_at,
        group_openid=None,
        muted_until=None,
        ranks_steps=True,
    )


async def _insert(collection: Collection, documents: list[Document]) -> None:
    # In batches, and before the indexes are built: the in-memory engine checks a unique index
    # by scanning the collection, at each insert.
    for start in range(0, len(documents), _BATCH):
        await collection.insert_many(documents[start : start + _BATCH])


def _user(user_id: str) -> User:
    return User(
        id=user_id, openid=f"o-{user_id}", unionid=None, created_at=_NOW, encrypted_session_key=b""
    )


def _standings(steps: dict[str, int]) -> list[Standing]:
    """Highest first, ties by user id, with competition ranks (1, 2, 2, 4)."""
    standings: list[Standing] = []
    for place, user_id in enumerate(sorted(steps, key=lambda one: (-steps[one], one)), start=1):
        tied = bool(standings) and standings[-1].steps == steps[user_id]
        standings.append(Standing(standings[-1].rank if tied else place, user_id, steps[user_id]))
    return standings


@dataclass(frozen=True)
class Cost:
    members: int
    operation: str
    # Each count seen over the runs: one, when every run cost the same.
    round_trips: tuple[int, ...]
    writes: tuple[int, ...]
    median_s: float
    outcome: str


async def run() -> list[Cost]:
    costs = []
    for size in SIZES:
        group = await seeded(size)
        try:
            costs += await _costs(group, size)
        finally:
            await group.outside.aclose()
            await group.database.close()
    _check_flat(costs)
    return costs


async def _costs(group: Seeded, size: int) -> list[Cost]:
    last = size - PAGE  # the last page is after this place

    async def check_in(run: int) -> object:
        return await group.metrics.record_score(
            group.viewer,
            group.access.group.id,
            metric_key=CHECK_INS,
            value=1,
            client_id=f"bench-{run}",
            user_id=None,
        )

    first_page, first = await _cost(
        group, size, "steps: first page", lambda _: _ranking(group, STEPS.key, after=None)
    )
    _check_page(group, first, 0)
    last_page, tail = await _cost(
        group,
        size,
        "steps: last page (by cursor)",
        lambda _: _ranking(group, STEPS.key, after=_cursor(group.standings, last)),
    )
    _check_page(group, tail, last)
    recorded, _ = await _cost(group, size, f"recordScore({CHECK_INS})", check_in)
    check_ins, _ = await _cost(
        group, size, f"{CHECK_INS}: first page", lambda _: _ranking(group, CHECK_INS, after=None)
    )
    await _check_recorded(group, size)
    return [first_page, last_page, recorded, check_ins]


@dataclass(frozen=True)
class Read:
    """What a ranking screen reads: the page, the viewer's entry and the participants."""

    entries: Page[RankingEntry]
    viewer_entry: RankingEntry | None
    participant_count: int


async def _ranking(
    group: Seeded,
    metric: str,
    *,
    after: str | None,
    period: RankingPeriod = RankingPeriod.DAY,
    first: int = PAGE,
) -> Read:
    ranking = await group.rankings.ranking(
        group.access,
        group.viewer,
        metric_key=metric,
        period=period,
        day=None,
        first=first,
        after=after,
    )
    standing = await ranking.standing()
    return Read(await ranking.entries(), standing.viewer_entry, standing.participant_count)


def _cursor(standings: list[Standing], place: int) -> str:
    """The cursor of the entry at `place` (from 1), as RankingService.ranking writes it (the
    first page's are checked to be the same): reading 10,000 members page by page to reach the
    last one would take minutes on the in-memory engine."""
    one = standings[place - 1]
    return encode_cursor("ranking", f"{one.steps!r}|{one.user_id}|{one.rank}|{place}")


def _check_page(group: Seeded, ranking: Read, after: int) -> None:
    """The page holds the places after `after`, with the ranks, members, scores and cursors the
    seeded steps say; the viewer's entry and the participants are right too."""
    found = [
        (cursor, entry.rank, entry.score.user_id, entry.score.score)
        for cursor, entry in ranking.entries.edges
    ]
    expected = [
        (_cursor(group.standings, place), one.rank, one.user_id, one.steps)
        for place, one in enumerate(group.standings, start=1)
    ][after : after + PAGE]
    size = len(group.standings)
    mine = next(one for one in group.standings if one.user_id == group.viewer.id)
    viewer = ranking.viewer_entry
    _check(found == expected, f"places {after + 1}-{after + PAGE} of {size} are not as seeded")
    _check(ranking.participant_count == size, f"{ranking.participant_count} of {size} take part")
    _check(viewer is not None and viewer.rank == mine.rank, f"the viewer is not #{mine.rank}")


async def _check_recorded(group: Seeded, size: int) -> None:
    """Each run's check-in counted once, in the viewer's score of each period."""
    for period in RankingPeriod:
        mine = await _ranking(group, CHECK_INS, after=None, period=period, first=1)
        _check(
            mine.viewer_entry is not None
            and mine.viewer_entry.rank == 1
            and mine.viewer_entry.score.score == 1 + RUNS
            and mine.participant_count == size,
            f"the viewer's {period.value} check-ins are not {1 + RUNS}, first of {size}",
        )


def _check(condition: bool, failure: str) -> None:
    if not condition:
        raise RuntimeError(failure)


async def _cost(
    group: Seeded, size: int, operation: str, call: Callable[[int], Awaitable[T]]
) -> tuple[Cost, T]:
    """The cost of `call`'s runs, and what the last returned."""
    samples: list[float] = []
    round_trips: set[int] = set()
    writes: set[int] = set()
    for run in range(RUNS):
        group.commands.names.clear()
        start = time.perf_counter()
        result = await call(run)
        samples.append(time.perf_counter() - start)
        round_trips.add(len(group.commands.names))
        writes.add(group.commands.writes)
    cost = Cost(
        size,
        operation,
        tuple(sorted(round_trips)),
        tuple(sorted(writes)),
        statistics.median(samples),
        _outcome(result),
    )
    return cost, result


def _outcome(result: object) -> str:
    if not isinstance(result, Read):
        return "counted once (checked after)"
    ranks = [entry.rank for _, entry in result.entries.edges]
    viewer = result.viewer_entry
    place = "none" if viewer is None else f"#{viewer.rank}"
    return f"ranks {ranks[0]}-{ranks[-1]}, viewer {place} of {result.participant_count}"


def _check_flat(costs: list[Cost]) -> None:
    """What the issue asks: the same round trips and writes whatever the group's size."""
    for operation in dict.fromkeys(cost.operation for cost in costs):
        of_size = {
            cost.members: (cost.round_trips, cost.writes)
            for cost in costs
            if cost.operation == operation
        }
        _check(
            len(set(of_size.values())) == 1,
            f"{operation}: (round trips, writes) by members {of_size}, not the same for all",
        )


def rows(costs: list[Cost]) -> list[tuple[str, ...]]:
    smallest = {cost.operation: cost.median_s for cost in costs if cost.members == SIZES[0]}
    table: list[tuple[str, ...]] = [
        ("members", "operation", "round trips", "writes", "median", f"÷ {SIZES[0]:,}", "result")
    ]
    for cost in costs:
        base = smallest[cost.operation]
        table.append(
            (
                f"{cost.members:,}",
                cost.operation,
                "/".join(map(str, cost.round_trips)),
                "/".join(map(str, cost.writes)),
                format_ms(cost.median_s),
                f"{cost.median_s / base:.2f}x",
                cost.outcome,
            )
        )
    return table
