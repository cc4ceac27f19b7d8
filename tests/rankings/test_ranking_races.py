"""Rankings under concurrency: racing and retried records count exactly once, racing uploads of
steps keep the newest, and a member leaving or opting out while their score is written stays out."""

import asyncio
import random
from collections import defaultdict
from datetime import timedelta

from tests.actors import Member, join, join_in_order
from tests.conftest import Api, Clock
from tests.rankings.documents import SUBMIT_STEPS
from tests.rankings.leaderboards import (
    define,
    last_days,
    opt_in,
    ranking,
    record,
    scores,
    send_steps,
    standings,
    today,
    werun_data,
)


def competition_ranks(by_user: dict[str, float]) -> dict[str, int]:
    """1 + how many scores are higher, for each member."""
    return {
        user: 1 + sum(1 for other in by_user.values() if other > s) for user, s in by_user.items()
    }


async def test_waves_of_concurrent_and_retried_records_count_each_value_once(api: Api) -> None:
    members = [await join(api, f"m{n}") for n in range(10)]
    owner = members[0]
    await define(owner, "points", "Points", "SUM")
    await define(owner, "best", "Best", "MAX")
    rng = random.Random(14)
    sent: list[tuple[Member, str, str, float]] = []  # (member, metric, clientId, value)
    answers = []

    for wave in range(5):
        batch = []
        for n in range(20):
            member = members[rng.randrange(10)]
            metric = "points" if n % 2 else "best"
            if sent and rng.random() < 0.25:  # a retry, perhaps racing the first attempt
                member, metric, client_id, value = rng.choice(sent)
            else:
                client_id, value = f"w{wave}-{n}", rng.randrange(-40, 200) / 2
            sent.append((member, metric, client_id, value))
            batch.append(record(member, metric, value, clientId=client_id))
        answers += await asyncio.gather(*batch)

    distinct = {(m.user_id, metric, cid): value for m, metric, cid, value in sent}
    expected: dict[str, dict[str, float]] = {"points": defaultdict(float), "best": {}}
    for (user_id, metric, _), value in distinct.items():
        if metric == "points":
            expected["points"][user_id] += value
        else:
            expected["best"][user_id] = max(expected["best"].get(user_id, value), value)
    assert sum(1 for answer in answers if answer["isNew"]) == len(distinct)
    for metric in ["points", "best"]:
        for period in ["DAY", "WEEK", "MONTH", "ALL"]:
            ranked = await ranking(owner, metric, period=period, first=100)
            shown = standings(ranked)
            assert {user: score for user, _, score in shown} == expected[metric]
            assert {user: rank for user, rank, _ in shown} == competition_ranks(expected[metric])
            assert [rank for _, rank, _ in shown] == sorted(rank for _, rank, _ in shown)
            assert ranked["participantCount"] == len(expected[metric])
    for member in members:
        entry = (await ranking(member, "points", first=1))["viewerEntry"]
        if member.user_id in expected["points"]:
            assert (entry["rank"], entry["score"]) == (
                competition_ranks(expected["points"])[member.user_id],
                expected["points"][member.user_id],
            )
        else:
            assert entry is None


async def test_racing_uploads_of_one_users_steps_keep_the_newest(api: Api, clock: Clock) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await opt_in(alice)
    uploads = [
        werun_data(
            alice,
            last_days(clock.now, *(1000 * age + day for day in range(5))),
            made_at=clock.now - timedelta(minutes=age),
        )
        for age in range(1, 11)
    ]  # the newest (made a minute ago) gives 1000, 1001, ... 1004
    random.Random(7).shuffle(uploads)

    for _ in range(3):
        await asyncio.gather(*(alice.data(SUBMIT_STEPS, **upload) for upload in uploads))

    for back, steps in enumerate([1004, 1003, 1002, 1001, 1000]):
        day = today(clock.now) - timedelta(days=back)
        assert await scores(bob, "steps", date=day.isoformat()) == {alice.user_id: steps}
    assert await scores(bob, "steps", period="ALL") == {alice.user_id: 5010}


async def test_opting_in_and_out_while_steps_arrive_ends_as_the_last_choice(
    api: Api, clock: Clock
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    for wave in range(5):
        made_at = clock.now - timedelta(minutes=10 - wave)
        last_choice = wave % 2 == 1
        await asyncio.gather(
            send_steps(alice, last_days(clock.now, 100 * wave + 1), made_at=made_at),
            opt_in(alice, steps=not last_choice),
            send_steps(
                alice,
                last_days(clock.now, 100 * wave + 2),
                made_at=made_at + timedelta(seconds=1),
            ),
        )
        await opt_in(alice, steps=last_choice)
        shown = await scores(bob, "steps", period="ALL")
        assert shown == ({alice.user_id: 100 * wave + 2} if last_choice else {}), wave


async def test_a_member_leaving_while_their_score_is_recorded_stays_out(api: Api) -> None:
    owner, *others = await join_in_order(api, "owner", *(f"m{n}" for n in range(8)))
    await define(owner, "points")

    async def record_then_leave(member: Member) -> None:
        await asyncio.gather(
            *(record(member, "points", 1) for _ in range(3)), member.leave(), return_exceptions=True
        )

    await asyncio.gather(*(record_then_leave(member) for member in others))

    for period in ["DAY", "ALL"]:
        ranked = await ranking(owner, "points", period=period)
        assert (ranked["participantCount"], standings(ranked)) == (0, [])
