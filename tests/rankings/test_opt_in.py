"""Whose scores a group ranks: steps only of members who opted in (and out at once), nothing of
former members, who come back opted out."""

from tests.actors import join, join_in_order, login
from tests.conftest import Api, Clock
from tests.rankings.documents import OPT_IN, RANKS_STEPS
from tests.rankings.leaderboards import (
    define,
    last_days,
    opt_in,
    ranking,
    record,
    scores,
    send_steps,
    standings,
)

PERIODS = ["DAY", "WEEK", "MONTH", "ALL"]


async def test_steps_show_in_a_ranking_only_once_their_member_opted_in(
    api: Api, clock: Clock
) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    await send_steps(alice, last_days(clock.now, 6000), made_at=clock.now)
    await send_steps(carol, last_days(clock.now, 9000), made_at=clock.now)
    for period in PERIODS:
        assert await scores(bob, "steps", period=period) == {}

    assert (await opt_in(alice))["ranksSteps"] is True  # steps sent before count at once
    await opt_in(bob)
    await send_steps(bob, last_days(clock.now, 7000), made_at=clock.now)  # and those after

    for period in PERIODS:
        ranked = await scores(carol, "steps", period=period)
        assert ranked == {bob.user_id: 7000, alice.user_id: 6000}, period


async def test_opting_in_before_sending_any_steps_ranks_nobody(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await opt_in(alice)

    for period in PERIODS:
        ranked = await ranking(bob, "steps", period=period)
        assert (ranked["participantCount"], standings(ranked)) == (0, []), period


async def test_opting_out_takes_the_steps_out_at_once_and_opting_in_brings_them_back(
    api: Api, clock: Clock
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    for member in (alice, bob):
        await opt_in(member)
    await send_steps(alice, last_days(clock.now, 5000, 6000), made_at=clock.now)
    await send_steps(bob, last_days(clock.now, 4000, 3000), made_at=clock.now)

    assert (await opt_in(alice, steps=False))["ranksSteps"] is False

    for period in PERIODS:
        ranked = await ranking(bob, "steps", period=period)
        assert ranked["participantCount"] == 1
        assert [e["node"]["member"]["user"]["id"] for e in ranked["entries"]["edges"]] == [
            bob.user_id
        ]
        assert (await ranking(alice, "steps", period=period))["viewerEntry"] is None
    await send_steps(alice, last_days(clock.now, 5000, 6500), made_at=clock.now)
    assert await scores(bob, "steps", period="ALL") == {bob.user_id: 7000}

    await opt_in(alice)
    assert await scores(bob, "steps") == {alice.user_id: 6500, bob.user_id: 3000}
    assert await scores(bob, "steps", period="ALL") == {alice.user_id: 11500, bob.user_id: 7000}


async def test_opting_in_is_per_group(api: Api, clock: Clock) -> None:
    hikers, bob = await join(api, "alice", "HIKERS"), await join(api, "bob", "HIKERS")
    runners = await join(api, "alice", "RUNNERS")
    climbers = await join(api, "alice", "CLIMBERS")
    await opt_in(hikers)
    await opt_in(climbers)

    await send_steps(hikers, last_days(clock.now, 8000), made_at=clock.now)

    assert await scores(bob, "steps") == {hikers.user_id: 8000}
    assert await scores(climbers, "steps") == {hikers.user_id: 8000}
    assert await scores(runners, "steps") == {}


async def test_ranks_steps_shows_only_on_ones_own_membership(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await opt_in(bob)

    for viewer, own in [(alice, False), (bob, True)]:
        group = (await viewer.data(RANKS_STEPS, id=viewer.group_id))["group"]
        assert group["viewerMembership"] == {"ranksSteps": own}
        seen = {
            edge["node"]["user"]["id"]: edge["node"]["ranksSteps"]
            for edge in group["members"]["edges"]
        }
        others = {alice.user_id, bob.user_id} - {viewer.user_id}
        assert seen == {viewer.user_id: own} | dict.fromkeys(others)


async def test_only_members_opt_in(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    stranger = await login(api, "stranger")
    await bob.leave()
    for outsider in (stranger, bob):
        refused = await outsider.error_code(OPT_IN, groupId=alice.group_id, steps=True)
        assert refused == "FORBIDDEN"


async def test_a_member_who_leaves_drops_out_of_every_ranking_and_rejoins_opted_out(
    api: Api, clock: Clock
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await define(alice, "checkins")
    for member in (alice, bob):
        await opt_in(member)
        await send_steps(member, last_days(clock.now, 5000), made_at=clock.now)
        await member.say("here")
        await record(member, "checkins", 1)

    await bob.leave()

    for metric, score in {"steps": 5000, "posts": 1, "checkins": 1}.items():
        for period in PERIODS:
            assert await scores(alice, metric, period=period) == {alice.user_id: score}
    back = await join(api, "bob")
    group = (await back.data(RANKS_STEPS, id=back.group_id))["group"]
    assert group["viewerMembership"] == {"ranksSteps": False}
    await send_steps(back, last_days(clock.now, 6000), made_at=clock.now)
    assert await scores(alice, "steps") == {alice.user_id: 5000}
    await opt_in(back)
    assert await scores(alice, "steps") == {back.user_id: 6000, alice.user_id: 5000}


async def test_a_removed_member_drops_out_of_every_ranking(api: Api, clock: Clock) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    await define(alice, "quiz", "Quiz points", "MAX")
    for member, points in [(bob, 90), (carol, 70)]:
        await opt_in(member)
        await send_steps(member, last_days(clock.now, points * 100), made_at=clock.now)
        await member.say("hi")
        await record(member, "quiz", points)

    await alice.remove(bob, ban=True)
    await alice.remove(carol)

    for metric in ["steps", "posts", "quiz"]:
        for period in PERIODS:
            ranked = await ranking(alice, metric, period=period)
            assert (ranked["participantCount"], ranked["entries"]["edges"]) == (0, [])
    back = await join(api, "carol")
    await send_steps(back, last_days(clock.now, 100), made_at=clock.now)
    assert await scores(alice, "steps") == {}
