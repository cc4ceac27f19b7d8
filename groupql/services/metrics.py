"""Ranking metrics: the built-in ones, those a group's admins define, and the values members
record for them.

Recording a value writes the record (once per clientId) and the member's four scores (the day,
week, month and all time it counts in), each computed from the records of the member's current
membership and written only over one computed from fewer: retries and races never count a value
twice or lose one, and a member who left and came back starts afresh.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from groupql.errors import BadUserInput, Conflict, NotFound
from groupql.records import (
    Aggregation,
    Group,
    Member,
    MemberStatus,
    Metric,
    RankingPeriod,
    Score,
    ScoreRecord,
    User,
)
from groupql.services.clock import Clock
from groupql.services.events import Events
from groupql.services.membership import MembershipService
from groupql.services.permissions import Action
from groupql.services.ranking_events import RankingChange, RankingEvents
from groupql.services.ranking_periods import local_day, spans_of
from groupql.store import Store

STEPS = Metric("steps", "Steps", Aggregation.SUM, "steps")
POSTS = Metric("posts", "Posts", Aggregation.SUM, "posts")
ACCEPTED_ANSWERS = Metric("acceptedAnswers", "Accepted answers", Aggregation.SUM, "answers")
BUILT_IN = {metric.key: metric for metric in (STEPS, POSTS, ACCEPTED_ANSWERS)}

MAX_METRICS_PER_GROUP = 20
_KEY = re.compile(r"[a-z][A-Za-z0-9_]{0,31}")
_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_MAX_VALUE = 1e12


@dataclass(frozen=True)
class RecordedScore:
    record: ScoreRecord
    metric: Metric
    is_new: bool


class MetricService:
    def __init__(
        self,
        *,
        store: Store,
        membership: MembershipService,
        clock: Clock,
        zone: ZoneInfo,
        events: Events,
        ranking_events: RankingEvents,
    ) -> None:
        self._store = store
        self._membership = membership
        self._clock = clock
        self._zone = zone
        self._events = events
        self._ranking_events = ranking_events

    async def metrics(self, group: Group) -> list[Metric]:
        """The built-in metrics, then the group's own, by key."""
        own = await self._store.metrics.of_group(group.id, limit=MAX_METRICS_PER_GROUP)
        return [*BUILT_IN.values(), *own]

    async def define_metric(
        self,
        viewer: User,
        group_id: str,
        *,
        key: str,
        name: str,
        aggregation: Aggregation,
        unit: str | None,
    ) -> Metric:
        """Define a metric (admins); defining it again renames it, if its aggregation stays."""
        access = await self._membership.access(viewer, group_id)
        access.require(Action.DEFINE_METRIC)
        if not _KEY.fullmatch(key) or key in BUILT_IN:
            raise BadUserInput(
                "'key' is 1-32 letters, digits or _, starting with a lower-case letter, and not "
                f"one of the built-in metrics ({', '.join(BUILT_IN)})."
            )
        name = _checked_label(name, "name", 32)
        unit = None if unit is None else _checked_label(unit, "unit", 16)
        metric = Metric(key, name, aggregation, unit, group_id, self._clock())
        stored, defined, created = await self._store.metrics.define(metric)
        if not defined:
            raise Conflict(
                f"'{key}' is defined with aggregation {stored.aggregation.value}; its scores "
                "would not mean the same: choose another key."
            )
        if created:
            # Counted after the write: of racing definitions past the limit, none stays.
            defined_now = await self._store.metrics.of_group(
                group_id, limit=MAX_METRICS_PER_GROUP + 1
            )
            if len(defined_now) > MAX_METRICS_PER_GROUP:
                await self._store.metrics.forget(group_id, key)
                raise BadUserInput(f"A group has at most {MAX_METRICS_PER_GROUP} metrics.")
        await self._events.group(access.group)
        return stored

    async def record_score(
        self,
        viewer: User,
        group_id: str,
        *,
        metric_key: str,
        value: float,
        client_id: str,
        user_id: str | None,
    ) -> RecordedScore:
        """Record a value for the viewer (or, for admins, another member) today; a retry with
        the same clientId records nothing more."""
        access = await self._membership.access(viewer, group_id)
        access.require(Action.RANK)
        if user_id is not None and user_id != viewer.id:
            access.require(Action.RECORD_SCORE_FOR_OTHERS)
        subject = user_id or viewer.id
        if not _CLIENT_ID.fullmatch(client_id):
            raise BadUserInput("'clientId' is 1-64 letters, digits or . _ : -")
        if not math.isfinite(value) or abs(value) > _MAX_VALUE:
            raise BadUserInput(f"'value' is a number between -{_MAX_VALUE:g} and {_MAX_VALUE:g}.")
        metric = await self.metric(access.group, metric_key)
        if metric.group_id is None:
            raise BadUserInput(f"'{metric.key}' is counted by groupql; record your own metrics.")
        member = access.member if subject == viewer.id else None
        if member is None:
            member = await self._active_member(group_id, subject)
        now = self._clock()
        record, is_new = await self._store.score_records.add(
            ScoreRecord(
                group_id=group_id,
                metric=metric.key,
                user_id=member.user_id,
                client_id=client_id,
                value=value,
                day=local_day(now, self._zone),
                recorded_by=viewer.id,
                created_at=now,
                member_since=member.joined_at,
            )
        )
        # A retry recomputes too: a first attempt that died after its record is completed.
        await self._recompute(metric, member, record.day, now)
        await self._unless_other_membership(metric, member)
        await self._ranking_events.changed(
            RankingChange(group_id, metric.key, RankingPeriod.DAY, record.day)
        )
        return RecordedScore(record, metric, is_new)

    async def metric(self, group: Group, key: str) -> Metric:
        if key in BUILT_IN:
            return BUILT_IN[key]
        metric = await self._store.metrics.get(group.id, key)
        if metric is None:
            raise NotFound(f"This group has no metric '{key}'; see Group.metrics.")
        return metric

    async def _active_member(self, group_id: str, user_id: str) -> Member:
        member = await self._store.members.get(group_id=group_id, user_id=user_id)
        if member is None or member.status is not MemberStatus.ACTIVE:
            raise NotFound("That user is not an active member of this group.")
        return member

    async def _recompute(self, metric: Metric, member: Member, day: date, now: datetime) -> None:
        """The member's scores of the periods `day` counts in, from the records of their
        membership; each written unless one computed from more records is stored."""
        group_id, user_id = member.group_id, member.user_id
        periods = spans_of(day, self._zone)
        since = min(local_day(one.start, self._zone) for one in periods if one.start is not None)
        by_day = await self._store.score_records.by_day(
            group_id, metric.key, user_id, metric.aggregation, since=since, joined=member.joined_at
        )
        overall = await self._store.score_records.overall(
            group_id, metric.key, user_id, metric.aggregation, joined=member.joined_at
        )
        scores = []
        for one in periods:
            if one.period is RankingPeriod.ALL:
                value, count = overall
            else:
                inside = [
                    totals
                    for recorded, totals in by_day.items()
                    if one.start is not None
                    and one.end is not None
                    and local_day(one.start, self._zone)
                    <= recorded
                    < local_day(one.end, self._zone)
                ]
                value, count = _combined(inside, metric.aggregation)
            scores.append(Score(group_id, metric.key, one.key, user_id, value, now, count))
        await self._store.scores.put(scores)

    async def _unless_other_membership(self, metric: Metric, member: Member) -> None:
        """Likewise for recorded scores, and a metric's scores of an earlier membership (the
        member left and came back meanwhile): the next record computes the new one's."""
        now = await self._store.members.get(
            group_id=member.group_id, user_id=member.user_id, fresh=True
        )
        if now is None or now.status is not MemberStatus.ACTIVE:
            await self._store.scores.drop(member.group_id, member.user_id)
        elif now.joined_at != member.joined_at:
            await self._store.scores.drop(member.group_id, member.user_id, metric.key)


def _combined(totals: Sequence[tuple[float, int]], aggregation: Aggregation) -> tuple[float, int]:
    if not totals:
        return 0, 0
    values = [value for value, _ in totals]
    value = sum(values) if aggregation is Aggregation.SUM else max(values)
    return value, sum(count for _, count in totals)


def _checked_label(text: str, name: str, longest: int) -> str:
    text = text.strip()
    if not 1 <= len(text) <= longest or not text.isprintable():
        raise BadUserInput(f"'{name}' is 1-{longest} printable characters.")
    return text
