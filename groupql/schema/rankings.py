"""Group rankings (群排行): metrics, rankings by day, week, month or all time, WeChat steps."""

from datetime import date, datetime

import strawberry

from groupql import records
from groupql.context import Info
from groupql.schema.connection import Connection
from groupql.schema.members import Member
from groupql.schema.serving import serve, serve_all, serves
from groupql.services import metrics as metric_service
from groupql.services import rankings as ranking_service
from groupql.services import steps as steps_service

strawberry.enum(records.RankingPeriod, description="The calendar period a ranking covers.")
strawberry.enum(
    records.Aggregation,
    description="How a metric's values make a score: SUM of the period's values, or MAX.",
)

PERIODS = (
    "Days, weeks (Monday to Sunday) and months are those of GROUPQL_TIMEZONE "
    "(Asia/Shanghai by default)."
)


@serves(records.Metric)
@strawberry.type(description="What a ranking ranks by.")
class Metric:
    key: str
    name: str
    aggregation: records.Aggregation
    unit: str | None

    @strawberry.field(description="steps, posts and acceptedAnswers are counted by groupql.")
    @staticmethod
    def built_in(root: strawberry.Parent[records.Metric]) -> bool:
        return root.group_id is None


@serves(ranking_service.RankingEntry)
@strawberry.type(description="A member's place in a ranking.")
class RankingEntry:
    rank: int = strawberry.field(description="Competition rank: ties share it (1, 2, 2, 4).")

    @strawberry.field
    @staticmethod
    def score(root: strawberry.Parent[ranking_service.RankingEntry]) -> float:
        return root.score.score

    @strawberry.field
    @staticmethod
    async def member(
        root: strawberry.Parent[ranking_service.RankingEntry], info: Info
    ) -> Member | None:
        return await _member(info, root.score.group_id, root.score.user_id)

    @strawberry.field(
        description="Steps only: the member's steps were not refreshed today (WeChat updates "
        "them when the member opens the mini-program)."
    )
    @staticmethod
    async def stale(root: strawberry.Parent[ranking_service.RankingEntry], info: Info) -> bool:
        if root.score.metric != metric_service.STEPS.key:
            return False
        user = await info.context.loaders.users.load(root.score.user_id)
        return info.context.services.rankings.is_stale(user)


@serves(ranking_service.Ranking)
@strawberry.type(description="Members ranked by a metric over a period. " + PERIODS)
class Ranking:
    metric: Metric

    @strawberry.field(description="Highest first; ties by member.")
    @staticmethod
    async def entries(
        root: strawberry.Parent[ranking_service.Ranking],
    ) -> Connection[RankingEntry]:
        return Connection.of(await root.entries(), RankingEntry)

    @strawberry.field(
        description="The viewer's own place, wherever it is (null: no score this period)."
    )
    @staticmethod
    async def viewer_entry(
        root: strawberry.Parent[ranking_service.Ranking],
    ) -> RankingEntry | None:
        entry = (await root.standing()).viewer_entry
        return None if entry is None else serve(RankingEntry, entry)

    @strawberry.field(description="How many members have a score.")
    @staticmethod
    async def participant_count(root: strawberry.Parent[ranking_service.Ranking]) -> int:
        return (await root.standing()).participant_count

    @strawberry.field(description="Where the period starts (null: all time).")
    @staticmethod
    def period_start(root: strawberry.Parent[ranking_service.Ranking]) -> datetime | None:
        return root.span.start

    @strawberry.field(description="Where the next period starts (null: all time).")
    @staticmethod
    def period_end(root: strawberry.Parent[ranking_service.Ranking]) -> datetime | None:
        return root.span.end

    @strawberry.field
    @staticmethod
    def period(root: strawberry.Parent[ranking_service.Ranking]) -> records.RankingPeriod:
        return root.span.period


@serves(metric_service.RecordedScore)
@strawberry.type(description="A value recorded for a member.")
class RecordedScore:
    metric: Metric
    is_new: bool = strawberry.field(
        description="false: a retry of a record with this clientId, which counted once."
    )

    @strawberry.field
    @staticmethod
    def value(root: strawberry.Parent[metric_service.RecordedScore]) -> float:
        return root.record.value

    @strawberry.field(description="The day it counts in.")
    @staticmethod
    def day(root: strawberry.Parent[metric_service.RecordedScore]) -> date:
        return root.record.day

    @strawberry.field
    @staticmethod
    def recorded_at(root: strawberry.Parent[metric_service.RecordedScore]) -> datetime:
        return root.record.created_at

    @strawberry.field
    @staticmethod
    async def member(
        root: strawberry.Parent[metric_service.RecordedScore], info: Info
    ) -> Member | None:
        return await _member(info, root.record.group_id, root.record.user_id)


@serves(records.StepDay)
@strawberry.type(description="A day's WeChat steps.")
class StepCount:
    day: date
    steps: int


@serves(steps_service.StepsReceived)
@strawberry.type(description="The steps that were sent.")
class StepsReceived:
    refreshed_at: datetime

    @strawberry.field(description="Each day's steps, oldest first.")
    @staticmethod
    def days(root: strawberry.Parent[steps_service.StepsReceived]) -> list[StepCount]:
        return serve_all(StepCount, root.days)


async def _member(info: Info, group_id: str, user_id: str) -> Member | None:
    """The active member, as clients see them (null: no longer a member)."""
    found = await info.context.loaders.members.load((group_id, user_id))
    return None if found is None else serve(Member, found)


@strawberry.type
class RankingMutation:
    @strawberry.mutation(
        description="Send what wx.getWeRunData gave (the last 31 days of steps), decrypted "
        "with your session key: each day is kept (a later upload corrects it) and ranked in "
        "the groups where you opted in (setRankingOptIn). SESSION_KEY_STALE: wx.login, login, "
        "then wx.getWeRunData again."
    )
    async def submit_we_run_data(self, info: Info, encrypted_data: str, iv: str) -> StepsReceived:
        viewer = await info.context.viewer()
        received = await info.context.services.steps.submit(viewer, encrypted_data, iv)
        return serve(StepsReceived, received)

    @strawberry.mutation(
        description="Show your WeChat steps in a group's rankings (steps: true), or take them "
        "out at once (false). Off until you turn it on."
    )
    async def set_ranking_opt_in(self, info: Info, group_id: strawberry.ID, steps: bool) -> Member:
        viewer = await info.context.viewer()
        member = await info.context.services.rankings.set_opt_in(viewer, group_id, steps=steps)
        return serve(Member, member)

    @strawberry.mutation(
        description="Define a metric of the group (admins): key (a-z first, then letters, "
        "digits, _; at most 32), name, SUM or MAX, unit. Defining a key again renames it."
    )
    async def define_metric(
        self,
        info: Info,
        group_id: strawberry.ID,
        key: str,
        name: str,
        aggregation: records.Aggregation = records.Aggregation.SUM,
        unit: str | None = None,
    ) -> Metric:
        viewer = await info.context.viewer()
        metric = await info.context.services.metrics.define_metric(
            viewer, group_id, key=key, name=name, aggregation=aggregation, unit=unit
        )
        return serve(Metric, metric)

    @strawberry.mutation(
        description="Record a value of a group-defined metric for today, for yourself (or, as "
        "an admin, for `userId`). Idempotent by clientId: a retry counts once."
    )
    async def record_score(
        self,
        info: Info,
        group_id: strawberry.ID,
        metric: str,
        value: float,
        client_id: str,
        user_id: strawberry.ID | None = None,
    ) -> RecordedScore:
        viewer = await info.context.viewer()
        recorded = await info.context.services.metrics.record_score(
            viewer,
            group_id,
            metric_key=metric,
            value=value,
            client_id=client_id,
            user_id=user_id,
        )
        return serve(RecordedScore, recorded)
