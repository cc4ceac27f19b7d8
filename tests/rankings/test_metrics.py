"""Group-defined metrics beside the built-in ones: admins define them (a plain key, a name, SUM or
MAX, a unit), defining one again renames it, and each group has its own."""

from typing import Any

import pytest

from tests.actors import Member, join, join_in_order, login
from tests.conftest import Api
from tests.rankings.documents import DEFINE_METRIC, METRICS, RANKING
from tests.rankings.leaderboards import (
    define,
    record,
    record_error,
    scores,
)

BUILT_IN = [
    {"key": "steps", "name": "Steps", "aggregation": "SUM", "unit": "steps", "builtIn": True},
    {"key": "posts", "name": "Posts", "aggregation": "SUM", "unit": "posts", "builtIn": True},
    {
        "key": "acceptedAnswers",
        "name": "Accepted answers",
        "aggregation": "SUM",
        "unit": "answers",
        "builtIn": True,
    },
]


async def metrics(member: Member) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await member.data(METRICS, id=member.group_id))["group"][
        "metrics"
    ]
    return found


async def test_a_group_ranks_by_the_built_in_metrics_then_its_own(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    assert await metrics(bob) == BUILT_IN

    quiz = await define(alice, "quiz", "Quiz points", "MAX", unit="points")
    await define(alice, "checkins", "Check-ins")

    assert quiz == {
        "key": "quiz",
        "name": "Quiz points",
        "aggregation": "MAX",
        "unit": "points",
        "builtIn": False,
    }
    assert [metric["key"] for metric in await metrics(bob)] == [
        "steps",
        "posts",
        "acceptedAnswers",
        "checkins",
        "quiz",
    ]


async def test_a_metric_is_its_groups_own(api: Api) -> None:
    hikers = await join(api, "alice", "HIKERS")
    runners = await join(api, "alice", "RUNNERS")
    await define(hikers, "quiz", "Quiz", "MAX")

    assert await metrics(runners) == BUILT_IN
    assert await record_error(runners, "quiz", 10) == "NOT_FOUND"
    code = await runners.error_code(RANKING, id=runners.group_id, metric="quiz")
    assert code == "NOT_FOUND"
    await define(runners, "quiz", "Quiz total", "SUM")  # the same key, another metric
    await record(runners, "quiz", 10)
    await record(runners, "quiz", 10)
    await record(hikers, "quiz", 10)
    await record(hikers, "quiz", 10)
    assert await scores(runners, "quiz") == {runners.user_id: 20}
    assert await scores(hikers, "quiz") == {hikers.user_id: 10}


async def test_only_admins_define_metrics(api: Api) -> None:
    owner, admin, member = await join_in_order(api, "owner", "admin", "member")
    await owner.set_role(admin, "ADMIN")
    stranger = await login(api, "stranger")

    assert (await define(admin, "checkins"))["key"] == "checkins"
    for refused in (member, stranger):
        code = await refused.error_code(
            DEFINE_METRIC, groupId=owner.group_id, key="quiz", name="Quiz"
        )
        assert code == "FORBIDDEN"
    assert [metric["key"] for metric in await metrics(member)][3:] == ["checkins"]


@pytest.mark.parametrize(
    "fields",
    [
        {"key": ""},
        {"key": "Checkins"},
        {"key": "1day"},
        {"key": "_hidden"},
        {"key": "has-dash"},
        {"key": "has space"},
        {"key": "签到"},
        {"key": "a" * 33},
        {"key": "steps"},
        {"key": "posts"},
        {"key": "acceptedAnswers"},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 33},
        {"name": "two\nlines"},
        {"unit": "u" * 17},
        {"unit": ""},
    ],
)
async def test_a_metric_needs_a_plain_key_name_and_unit(api: Api, fields: dict[str, str]) -> None:
    [owner] = await join_in_order(api, "owner")
    metric = {"key": "checkins", "name": "Check-ins", **fields}
    assert await owner.error_code(DEFINE_METRIC, groupId=owner.group_id, **metric) == (
        "BAD_USER_INPUT"
    )
    assert await metrics(owner) == BUILT_IN


async def test_the_longest_key_and_name_are_taken(api: Api) -> None:
    [owner] = await join_in_order(api, "owner")
    metric = await define(owner, "k" + "_9Z" * 10 + "x", "名" * 32, unit="公里" * 8)
    assert (metric["key"], metric["name"], metric["unit"]) == (
        "k" + "_9Z" * 10 + "x",
        "名" * 32,
        "公里" * 8,
    )


async def test_defining_a_key_again_renames_it_and_keeps_its_scores(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await define(owner, "checkins", "Check-ins", unit="days")
    await record(bob, "checkins", 3)

    renamed = await define(owner, "checkins", "Daily check-ins")

    assert (renamed["name"], renamed["unit"], renamed["aggregation"]) == (
        "Daily check-ins",
        None,
        "SUM",
    )
    assert [m["name"] for m in await metrics(bob)][3:] == ["Daily check-ins"]
    assert await scores(bob, "checkins") == {bob.user_id: 3}


async def test_redefining_a_key_with_another_aggregation_is_a_conflict(api: Api) -> None:
    [owner] = await join_in_order(api, "owner")
    await define(owner, "quiz", "Quiz points", "MAX")
    body = await owner.send(
        DEFINE_METRIC, groupId=owner.group_id, key="quiz", name="Quiz total", aggregation="SUM"
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert "MAX" in error["message"]
    assert (await metrics(owner))[3:] == [
        {"key": "quiz", "name": "Quiz points", "aggregation": "MAX", "unit": None, "builtIn": False}
    ]


async def test_a_group_defines_at_most_20_metrics(api: Api) -> None:
    [owner] = await join_in_order(api, "owner")
    for n in range(20):
        await define(owner, f"metric{n:02}")
    code = await owner.error_code(DEFINE_METRIC, groupId=owner.group_id, key="one_more", name="x")
    assert code == "BAD_USER_INPUT"
    assert (await define(owner, "metric07", "Renamed"))["name"] == "Renamed"
    assert len(await metrics(owner)) == 3 + 20
