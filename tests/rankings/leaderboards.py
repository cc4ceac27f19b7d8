"""Ranking tests' people at work: WeChat steps as wx.getWeRunData gives them, metrics and scores,
and a ranking as a leaderboard screen reads it."""

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.actors import Member, User
from tests.rankings.documents import (
    DEFINE_METRIC,
    OPT_IN,
    RANKING,
    RECORD_SCORE,
    SUBMIT_STEPS,
)

BEIJING = ZoneInfo("Asia/Shanghai")
"""The time zone of the days, weeks and months rankings cover (GROUPQL_TIMEZONE's default)."""


def beijing(moment: datetime) -> datetime:
    return moment.astimezone(BEIJING)


def beijing_time(text: str) -> datetime:
    """A moment given as Beijing wall time, e.g. "2026-11-29 23:59"."""
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def today(now: datetime) -> date:
    """The calendar day in Beijing at `now`."""
    return beijing(now).date()


def last_days(now: datetime, *steps: int) -> dict[date, int]:
    """Steps of the days up to today, oldest first and today last (as `groupql dev werun`)."""
    last = today(now)
    return {last - timedelta(days=len(steps) - 1 - n): count for n, count in enumerate(steps)}


def werun_payload(
    days: Mapping[date, int], *, made_at: datetime, appid: str, **extra: Any
) -> dict[str, Any]:
    """What wx.getWeRunData decrypts to: a day's timestamp is its midnight in Beijing; the
    watermark says when WeChat made the payload."""
    return {
        "stepInfoList": [
            {"timestamp": int(datetime.combine(day, time(), BEIJING).timestamp()), "step": steps}
            for day, steps in sorted(days.items())
        ],
        "watermark": {"appid": appid, "timestamp": int(made_at.timestamp())},
        **extra,
    }


def werun_data(user: User, days: Mapping[date, int], *, made_at: datetime) -> dict[str, str]:
    """encryptedData and iv of the user's steps, made by WeChat at `made_at`."""
    appid = user.api.settings.wechat_appid
    return user.encrypt(werun_payload(days, made_at=made_at, appid=appid))


async def send_steps(user: User, days: Mapping[date, int], *, made_at: datetime) -> dict[str, Any]:
    """Sends the steps: what submitWeRunData answered."""
    data = await user.data(SUBMIT_STEPS, **werun_data(user, days, made_at=made_at))
    received: dict[str, Any] = data["submitWeRunData"]
    return received


async def opt_in(member: Member, steps: bool = True) -> dict[str, Any]:
    opted: dict[str, Any] = (await member.data(OPT_IN, groupId=member.group_id, steps=steps))[
        "setRankingOptIn"
    ]
    return opted


async def define(
    member: Member, key: str, name: str = "Check-ins", aggregation: str = "SUM", **extra: Any
) -> dict[str, Any]:
    data = await member.data(
        DEFINE_METRIC, groupId=member.group_id, key=key, name=name, aggregation=aggregation, **extra
    )
    metric: dict[str, Any] = data["defineMetric"]
    return metric


def score_variables(member: Member, metric: str, value: float, **extra: Any) -> dict[str, Any]:
    """recordScore's variables; a new clientId unless `clientId` is given."""
    return {
        "groupId": member.group_id,
        "metric": metric,
        "value": value,
        "clientId": extra.pop("clientId", uuid.uuid4().hex),
        **extra,
    }


async def record(member: Member, metric: str, value: float, **extra: Any) -> dict[str, Any]:
    """Records a value (for `userId` when given): what recordScore answered."""
    data = await member.data(RECORD_SCORE, **score_variables(member, metric, value, **extra))
    recorded: dict[str, Any] = data["recordScore"]
    return recorded


async def record_error(member: Member, metric: str, value: float, **extra: Any) -> str:
    return await member.error_code(RECORD_SCORE, **score_variables(member, metric, value, **extra))


async def ranking(member: Member, metric: str, **arguments: Any) -> dict[str, Any]:
    """The group's ranking by `metric` as `member` reads it (period, date, first, after)."""
    data = await member.data(RANKING, id=member.group_id, metric=metric, **arguments)
    ranked: dict[str, Any] = data["group"]["ranking"]
    return ranked


def standings(ranked: dict[str, Any]) -> list[tuple[str, int, float]]:
    """A ranking page's entries as (userId, rank, score), in order."""
    return [
        (edge["node"]["member"]["user"]["id"], edge["node"]["rank"], edge["node"]["score"])
        for edge in ranked["entries"]["edges"]
    ]


async def scores(member: Member, metric: str, **arguments: Any) -> dict[str, float]:
    """Everyone's score in a ranking (up to 100), by user id."""
    ranked = await ranking(member, metric, first=100, **arguments)
    return {user_id: score for user_id, _, score in standings(ranked)}


def viewer_place(ranked: dict[str, Any]) -> tuple[int, float] | None:
    entry = ranked["viewerEntry"]
    return None if entry is None else (entry["rank"], entry["score"])
