"""Group rankings (群排行): members ranked by a metric (services/metrics.py) over a day, week,
month or all time, WeChat steps ranked where their members opted in, and the built-in counts.

Every score lives in `scores` under its group, metric and period, ordered by an index: a page of
a ranking is one query, a member's rank is "1 + how many scores are higher" (one more), whatever
the group's size.
"""

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from groupql.changes import Changes
from groupql.errors import BadUserInput, NotFound
from groupql.records import (
    Item,
    Member,
    MemberStatus,
    Metric,
    RankingPeriod,
    Score,
    User,
)
from groupql.services.clock import Clock
from groupql.services.membership import Access, MembershipService
from groupql.services.metrics import ACCEPTED_ANSWERS, POSTS, STEPS, MetricService
from groupql.services.pagination import Page, decode_cursor, encode_cursor, is_seq, page_size
from groupql.services.permissions import Action
from groupql.services.ranking_events import RankingChange, RankingEvents
from groupql.services.ranking_periods import Span, local_day, span, spans_of
from groupql.store import Store

T = TypeVar("T")

# The days a ranking can be asked for: WeChat's era, with room for every period around them.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class RankingEntry:
    rank: int
    score: Score


@dataclass(frozen=True)
class Standing:
    viewer_entry: RankingEntry | None
    participant_count: int


@dataclass(frozen=True)
class Ranking:
    """A ranking's metric and period; its page and the viewer's standing are each read once,
    when a field needs them (a "my rank" widget reads no page)."""

    metric: Metric
    span: Span
    entries: Callable[[], Awaitable[Page[RankingEntry]]]
    standing: Callable[[], Awaitable[Standing]]


class RankingService:
    def __init__(
        self,
        *,
        store: Store,
        membership: MembershipService,
        metrics: MetricService,
        clock: Clock,
        zone: ZoneInfo,
        ranking_events: RankingEvents,
    ) -> None:
        self._store = store
        self._membership = membership
        self._metrics = metrics
        self._clock = clock
        self._zone = zone
        self._ranking_events = ranking_events

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def stop(self) -> None:
        self._ranking_events.stop()

    async def set_opt_in(self, viewer: User, group_id: str, *, steps: bool) -> Member:
        """Show the viewer's steps in the group's rankings, or take them out at once."""
        access = await self._membership.access(viewer, group_id)
        access.require(Action.RANK)
        assert access.member is not None
        changed = await self._store.members.change(
            Changes(Member, ranks_steps=steps),
            group_id=group_id,
            user_id=viewer.id,
            when_status=[MemberStatus.ACTIVE],
        )
        if changed is None:
            raise NotFound("You are no longer a member of this group.")
        if steps:
            await self.put_steps(viewer.id, [group_id])
        else:
            await self._store.scores.drop(group_id, viewer.id, STEPS.key)
        today = local_day(self._clock(), self._zone)
        await self._ranking_events.changed(
            RankingChange(group_id, STEPS.key, RankingPeriod.DAY, today)
        )
        return changed

    async def put_steps(
        self, user_id: str, group_ids: Sequence[str], since: date | None = None
    ) -> None:
        """Write a user's step scores into these groups' rankings: of each day since `since`
        (all days without), and the weeks, months and all time around them."""
        if not group_ids:
            return
        first = _first_of_periods(since)
        days = await self._store.step_days.of_user(user_id, since=first)
        total, newest = await self._store.step_days.total(user_id)
        if not newest:
            return  # no steps sent yet: nothing to rank
        now = self._clock()
        sums: dict[str, float] = {"ALL": total}
        versions: dict[str, int] = {"ALL": newest}
        for day in days:
            for one in spans_of(day.day, self._zone):
                # A week or month that began before the first day read is not whole here.
                begins = None if one.start is None else local_day(one.start, self._zone)
                if begins is not None and first is not None and begins < first:
                    continue
                if one.period is not RankingPeriod.ALL:
                    sums[one.key] = sums.get(one.key, 0) + day.steps
                    versions[one.key] = max(versions.get(one.key, 0), day.version)
        scores = [
            Score(group_id, STEPS.key, key, user_id, score, now, versions[key])
            for group_id in group_ids
            for key, score in sums.items()
        ]
        await self._store.scores.put(scores)
        await self._unless_opted_out(user_id, group_ids)
        for group_id in group_ids:
            await self._ranking_events.changed(
                RankingChange(group_id, STEPS.key, RankingPeriod.DAY, local_day(now, self._zone))
            )

    async def ranking(
        self,
        access: Access,
        viewer: User,
        *,
        metric_key: str,
        period: RankingPeriod,
        day: date | None,
        first: int | None,
        after: str | None,
    ) -> Ranking:
        """A page of a ranking, the viewer's own entry, and how many take part (for members:
        the caller checked)."""
        metric = await self._metrics.metric(access.group, metric_key)
        size = page_size(first)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise BadUserInput(f"'date' must be between {FIRST_DAY} and {LAST_DAY}.")
        covered = span(period, day or local_day(self._clock(), self._zone), self._zone)
        position = decode_cursor("ranking", after, _is_position)
        start = None if position is None else _position(position)
        group_id = access.group.id

        async def entries() -> Page[RankingEntry]:
            scores = await self._store.scores.page(
                group_id,
                metric.key,
                covered.key,
                after=None if start is None else (start[0], start[1]),
                limit=size + 1,
            )
            edges = [
                (encode_cursor("ranking", f"{e.score.score!r}|{e.score.user_id}|{e.rank}|{n}"), e)
                for e, n in _ranked(scores, start)[:size]
            ]
            return Page(edges=edges, has_next_page=len(scores) > size)

        async def standing() -> Standing:
            mine = await self._store.scores.of_user(group_id, metric.key, covered.key, viewer.id)
            higher, participants = await self._store.scores.standing(
                group_id, metric.key, covered.key, None if mine is None else mine.score
            )
            return Standing(None if mine is None else RankingEntry(higher + 1, mine), participants)

        return Ranking(metric, covered, _once(entries), _once(standing))

    def is_stale(self, user: User | None) -> bool:
        """Whether a user's steps were not refreshed today (WeRun updates when they open the
        mini-program)."""
        if user is None or user.steps_refreshed_at is None:
            return True
        today = local_day(self._clock(), self._zone)
        return local_day(user.steps_refreshed_at, self._zone) < today

    async def count_post(self, item: Item) -> None:
        await self._count(POSTS, item.group_id, item.author_id, item.created_at)

    async def count_accepted(self, answer: Item) -> None:
        """The answer is the first accepted of its question: one more for its author, today."""
        await self._count(ACCEPTED_ANSWERS, answer.group_id, answer.author_id, self._clock())

    async def _count(self, metric: Metric, group_id: str, user_id: str, at: datetime) -> None:
        day = local_day(at, self._zone)
        keys = [one.key for one in spans_of(day, self._zone)]
        # No RankingChanged: the ItemPosted or ItemEdited that comes with it tells already.
        await self._store.scores.add(group_id, metric.key, keys, user_id, 1, self._clock())
        # Counted for someone who left (an answer accepted after its author left, a post racing
        # its author's leaving): out again.
        await self._unless_gone(group_id, user_id)

    async def _unless_gone(self, group_id: str, user_id: str) -> None:
        """A member who left while their score was written is taken out again: whichever of the
        two writes came last, the other sees it."""
        member = await self._store.members.get(group_id=group_id, user_id=user_id, fresh=True)
        if member is None or member.status is not MemberStatus.ACTIVE:
            await self._store.scores.drop(group_id, user_id)

    async def _unless_opted_out(self, user_id: str, group_ids: Sequence[str]) -> None:
        """Likewise for steps, in groups the user left or opted out of meanwhile (one read)."""
        members = await self._store.members.of_user_in_groups(user_id, group_ids)
        ranking = {
            member.group_id
            for member in members
            if member.status is MemberStatus.ACTIVE and member.ranks_steps
        }
        for group_id in group_ids:
            if group_id not in ranking:
                await self._store.scores.drop(group_id, user_id, STEPS.key)


def _once(read: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
    """`read`, run at most once: later calls share its result."""
    started: list[asyncio.Task[T]] = []

    async def shared() -> T:
        if not started:
            started.append(asyncio.ensure_future(read()))
        return await started[0]

    return shared


def _first_of_periods(since: date | None) -> date | None:
    """The first day of the week and month `since` falls in: their totals need those days."""
    if since is None:
        return None
    return min(since - timedelta(days=since.weekday()), since.replace(day=1))


def _ranked(
    scores: Sequence[Score], start: tuple[float, str, int, int] | None
) -> list[tuple[RankingEntry, int]]:
    """Competition ranks (1, 2, 2, 4) of scores in order, going on from a cursor's position:
    each entry and its place in the list."""
    entries: list[tuple[RankingEntry, int]] = []
    previous = None if start is None else (start[0], start[2])
    place = 0 if start is None else start[3]
    for score in scores:
        place += 1
        tied = previous is not None and score.score == previous[0]
        rank = previous[1] if previous is not None and tied else place
        entries.append((RankingEntry(rank, score), place))
        previous = (score.score, rank)
    return entries


def _is_position(position: str) -> bool:
    return _position(position) is not None


def _position(position: str) -> tuple[float, str, int, int] | None:
    parts = position.split("|")
    if len(parts) != 4:
        return None
    score, user_id, rank, place = parts
    try:
        value = float(score)
    except ValueError:
        return None
    if not math.isfinite(value) or not (is_seq(rank) and is_seq(place)):
        return None
    if not Store.is_id(user_id):
        return None
    return value, user_id, int(rank), int(place)
