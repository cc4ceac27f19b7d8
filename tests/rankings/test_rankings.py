"""Reading a ranking: competition ranks across pages, the viewer's own place wherever it is,
and the Beijing days, weeks (Monday to Sunday) and months the periods cover."""

import base64
from datetime import datetime
from typing import Any

import pytest

from tests.actors import Member, join, join_in_order, login
from tests.conftest import Api, Clock
from tests.rankings.documents import RANKING
from tests.rankings.leaderboards import (
    beijing_time,
    define,
    ranking,
    record,
    scores,
    standings,
    viewer_place,
)


async def walk(member: Member, metric: str, first: int, **arguments: Any) -> list[list[Any]]:
    """Every page of a ranking, `first` entries at a time, as (userId, rank, score) lists."""
    pages, after = [], None
    while True:
        ranked = await ranking(member, metric, first=first, after=after, **arguments)
        pages.append(standings(ranked))
        if not ranked["entries"]["pageInfo"]["hasNextPage"]:
            return pages
        after = ranked["entries"]["pageInfo"]["endCursor"]


async def test_tied_members_share_a_rank_across_a_page_boundary(api: Api) -> None:
    alice, bob, carol, dave = await join_in_order(api, "alice", "bob", "carol", "dave")
    await define(alice, "checkins")
    for member, value in [(alice, 10), (bob, 5), (carol, 5), (dave, 1)]:
        await record(member, "checkins", value)
    tied = sorted([bob.user_id, carol.user_id])

    assert await walk(dave, "checkins", first=2) == [
        [(alice.user_id, 1, 10), (tied[0], 2, 5)],
        [(tied[1], 2, 5), (dave.user_id, 4, 1)],
    ]
    for member, place in [(alice, (1, 10)), (bob, (2, 5)), (carol, (2, 5)), (dave, (4, 1))]:
        assert viewer_place(await ranking(member, "checkins", first=1)) == place


async def test_a_tie_spread_over_many_pages_keeps_its_rank(api: Api) -> None:
    members = await join_in_order(api, "a", "b", "c", "d", "e", "f")
    await define(members[0], "quiz", "Quiz", "MAX")
    for member, points in zip(members, [7, 7, 7, 7, 3, 3], strict=True):
        await record(member, "quiz", points)

    pages = await walk(members[0], "quiz", first=1)

    assert [[(rank, score) for _, rank, score in page] for page in pages] == [
        [(1, 7)], [(1, 7)], [(1, 7)], [(1, 7)], [(5, 3)], [(5, 3)]
    ]  # fmt: skip
    assert [user_id for [(user_id, _, _)] in pages] == sorted(
        m.user_id for m in members[:4]
    ) + sorted(m.user_id for m in members[4:])


async def test_a_viewer_far_down_the_list_gets_their_own_entry(api: Api) -> None:
    members = [await join(api, f"runner-{n:02}") for n in range(30)]
    await define(members[0], "laps")
    for n, member in enumerate(members):
        await record(member, "laps", 100 - n)  # runner-00 first, runner-29 last
    latecomer = await join(api, "latecomer")

    first_page = await ranking(members[24], "laps", first=10)

    assert [rank for _, rank, _ in standings(first_page)] == list(range(1, 11))
    assert first_page["entries"]["pageInfo"]["hasNextPage"] is True
    assert first_page["participantCount"] == 30
    entry = first_page["viewerEntry"]
    assert (entry["rank"], entry["score"], entry["member"]["user"]["id"]) == (
        25,
        76,
        members[24].user_id,
    )
    nobody = await ranking(latecomer, "laps", first=10)
    assert (nobody["viewerEntry"], nobody["participantCount"]) == (None, 30)


async def test_walking_every_page_agrees_with_each_viewers_entry(api: Api) -> None:
    members = [await join(api, f"m{n}") for n in range(12)]
    await define(members[0], "points")
    for n, member in enumerate(members):
        await record(member, "points", [4, 9, 4, 1, 9, 9, 0, 4, -2, 1, 4, 7][n])

    walked = [entry for page in await walk(members[0], "points", first=5) for entry in page]

    assert [(rank, score) for _, rank, score in walked] == [
        (1, 9), (1, 9), (1, 9), (4, 7), (5, 4), (5, 4), (5, 4), (5, 4), (9, 1), (9, 1),
        (11, 0), (12, -2),
    ]  # fmt: skip
    for member in members:
        [(rank, score)] = [(r, s) for user_id, r, s in walked if user_id == member.user_id]
        assert viewer_place(await ranking(member, "points", first=1)) == (rank, score)


async def test_day_boundaries_are_midnight_in_beijing(api: Api, clock: Clock) -> None:
    [alice] = await join_in_order(api, "alice")
    await define(alice, "checkins")

    clock.now = datetime.fromisoformat("2026-11-28T15:59:00+00:00")  # 23:59 in Beijing
    assert (await record(alice, "checkins", 1))["day"] == "2026-11-28"
    await alice.say("last thing on Saturday")
    clock.now = datetime.fromisoformat("2026-11-28T16:00:00+00:00")  # 00:00 on the 29th
    assert (await record(alice, "checkins", 10))["day"] == "2026-11-29"
    await alice.say("first thing on Sunday")
    await alice.say("and another")

    today = await ranking(alice, "checkins")
    assert (viewer_place(today), today["period"]) == ((1, 10), "DAY")
    assert _moment(today["periodStart"]) == beijing_time("2026-11-29 00:00")
    assert _moment(today["periodEnd"]) == beijing_time("2026-11-30 00:00")
    saturday = await ranking(alice, "checkins", date="2026-11-28")
    assert viewer_place(saturday) == (1, 1)
    assert _moment(saturday["periodStart"]) == beijing_time("2026-11-28 00:00")
    assert await scores(alice, "posts") == {alice.user_id: 2}
    assert await scores(alice, "posts", date="2026-11-28") == {alice.user_id: 1}


async def test_a_week_runs_from_monday_to_sunday_in_beijing(api: Api, clock: Clock) -> None:
    [alice] = await join_in_order(api, "alice")
    await define(alice, "checkins")
    for moment, value in [
        ("2026-11-23 00:00", 1),  # Monday
        ("2026-11-29 23:59", 2),  # Sunday, the same week
        ("2026-11-30 00:00", 4),  # Monday: a new week
        ("2026-12-06 23:59", 8),  # its Sunday
    ]:
        clock.now = beijing_time(moment)
        await record(alice, "checkins", value)

    for day, total, monday in [
        ("2026-11-23", 3, "2026-11-23"),
        ("2026-11-29", 3, "2026-11-23"),
        ("2026-11-30", 12, "2026-11-30"),
        ("2026-12-06", 12, "2026-11-30"),
        ("2026-12-07", None, "2026-12-07"),
    ]:
        week = await ranking(alice, "checkins", period="WEEK", date=day)
        assert viewer_place(week) == (None if total is None else (1, total)), day
        assert _moment(week["periodStart"]) == beijing_time(f"{monday} 00:00")
        assert (_moment(week["periodEnd"]) - _moment(week["periodStart"])).days == 7
    assert viewer_place(await ranking(alice, "checkins", period="WEEK")) == (1, 12)


async def test_a_month_ends_at_midnight_in_beijing(api: Api, clock: Clock) -> None:
    [alice] = await join_in_order(api, "alice")
    await define(alice, "checkins")
    for moment, value in [
        ("2026-11-01 00:00", 1),
        ("2026-11-30 23:59:59", 2),
        ("2026-12-01 00:00", 4),
        ("2026-12-31 23:59", 8),
        ("2027-01-01 00:00", 16),
    ]:
        clock.now = beijing_time(moment)
        await record(alice, "checkins", value)

    for day, total, start, end in [
        ("2026-11-15", 3, "2026-11-01", "2026-12-01"),
        ("2026-12-01", 12, "2026-12-01", "2027-01-01"),
        ("2027-01-31", 16, "2027-01-01", "2027-02-01"),
    ]:
        month = await ranking(alice, "checkins", period="MONTH", date=day)
        assert viewer_place(month) == (1, total), day
        assert _moment(month["periodStart"]) == beijing_time(f"{start} 00:00")
        assert _moment(month["periodEnd"]) == beijing_time(f"{end} 00:00")
    everything = await ranking(alice, "checkins", period="ALL", date="2026-11-15")
    assert viewer_place(everything) == (1, 31)
    assert (everything["periodStart"], everything["periodEnd"]) == (None, None)
    assert viewer_place(await ranking(alice, "checkins", period="MONTH")) == (1, 16)
    october = await ranking(alice, "checkins", period="MONTH", date="2026-10-31")
    assert (october["participantCount"], october["viewerEntry"]) == (0, None)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_only_members_read_a_ranking(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await define(alice, "checkins")
    await record(bob, "checkins", 3)
    stranger = await login(api, "stranger")
    await bob.leave()

    for outsider in (stranger, bob):
        body = await outsider.send(RANKING, id=alice.group_id, metric="checkins")
        assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
        assert body["data"] is None or body["data"]["group"] is None


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"metric": "nosuchmetric"}, "NOT_FOUND"),
        ({"metric": "steps", "first": 101}, "BAD_USER_INPUT"),
        ({"metric": "steps", "first": -1}, "BAD_USER_INPUT"),
        ({"metric": "steps", "after": "bm90IGEgY3Vyc29y"}, "BAD_USER_INPUT"),
        ({"metric": "steps", "after": "cmFua2luZzpuYW58eHwxfDE="}, "BAD_USER_INPUT"),
        ({"metric": "steps", "date": "2026-02-30"}, "BAD_USER_INPUT"),
    ],
)
async def test_a_ranking_refuses_what_it_cannot_read(
    api: Api, arguments: dict[str, Any], code: str
) -> None:
    [alice] = await join_in_order(api, "alice")
    assert await alice.error_code(RANKING, id=alice.group_id, **arguments) == code


@pytest.mark.parametrize(("period", "date"), [("DAY", "9999-12-31"), ("WEEK", "9999-12-27")])
async def test_a_date_at_the_end_of_the_calendar_is_refused_not_internal(
    api: Api, period: str, date: str
) -> None:
    [alice] = await join_in_order(api, "alice")
    body = await alice.send(RANKING, id=alice.group_id, metric="steps", period=period, date=date)
    assert [error["extensions"]["code"] for error in body.get("errors", [])] in (
        [],
        ["BAD_USER_INPUT"],
    )


async def test_a_forged_cursor_with_a_huge_rank_is_refused(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await define(alice, "checkins")
    await record(bob, "checkins", 3)
    forged = f"ranking:5.0|{alice.user_id}|{'9' * 5000}|1"
    after = base64.urlsafe_b64encode(forged.encode()).decode()
    code = await alice.error_code(RANKING, id=alice.group_id, metric="checkins", after=after)
    assert code == "BAD_USER_INPUT"
