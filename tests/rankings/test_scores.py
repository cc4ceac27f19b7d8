"""Recording values: members record for themselves once per clientId (admins for others too), SUM
adds and MAX keeps the best; posts and accepted answers count themselves."""

import json

import pytest

from tests.actors import join, join_in_order, login
from tests.conftest import Api, Clock
from tests.questions.documents import ACCEPT
from tests.rankings.documents import RECORD_SCORE
from tests.rankings.leaderboards import (
    define,
    ranking,
    record,
    record_error,
    scores,
    standings,
)


async def test_sum_adds_the_values_and_max_keeps_the_best(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await define(alice, "checkins", "Check-ins", "SUM")
    await define(alice, "quiz", "Quiz points", "MAX")
    for value in [1, 2.5, -0.5]:
        await record(alice, "checkins", value)
        await record(bob, "checkins", value * 2)
    for value in [70, 95.5, 80]:
        await record(alice, "quiz", value)
    await record(bob, "quiz", -3)

    for period in ["DAY", "WEEK", "MONTH", "ALL"]:
        assert standings(await ranking(alice, "checkins", period=period)) == [
            (bob.user_id, 1, 6),
            (alice.user_id, 2, 3),
        ]
        assert standings(await ranking(alice, "quiz", period=period)) == [
            (alice.user_id, 1, 95.5),
            (bob.user_id, 2, -3),
        ]


async def test_a_retried_record_counts_once(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await define(alice, "checkins")
    first = await record(bob, "checkins", 1, clientId="bob-2026-12-02")
    retry = await record(bob, "checkins", 5, clientId="bob-2026-12-02")

    assert (first["isNew"], first["value"]) == (True, 1)
    assert (retry["isNew"], retry["value"], retry["recordedAt"]) == (
        False,
        1,
        first["recordedAt"],
    )
    for period in ["DAY", "ALL"]:
        assert await scores(alice, "checkins", period=period) == {bob.user_id: 1}
    # A clientId is the recording member's own, per metric.
    assert (await record(alice, "checkins", 2, clientId="bob-2026-12-02"))["isNew"] is True
    await define(alice, "quiz", "Quiz", "MAX")
    assert (await record(bob, "quiz", 9, clientId="bob-2026-12-02"))["isNew"] is True
    assert await scores(alice, "checkins") == {alice.user_id: 2, bob.user_id: 1}


@pytest.mark.parametrize("client_id", ["", "x" * 65, "has space", "签到-1", "a/b"])
async def test_a_client_id_is_short_and_plain(api: Api, client_id: str) -> None:
    [alice] = await join_in_order(api, "alice")
    await define(alice, "checkins")
    assert await record_error(alice, "checkins", 1, clientId=client_id) == "BAD_USER_INPUT"


async def test_admins_record_for_other_members_and_members_only_for_themselves(
    api: Api,
) -> None:
    owner, admin, bob, carol = await join_in_order(api, "owner", "admin", "bob", "carol")
    await owner.set_role(admin, "ADMIN")
    await define(owner, "quiz", "Quiz", "MAX")

    for_bob = await record(admin, "quiz", 88, userId=bob.user_id)
    assert for_bob["member"]["user"]["id"] == bob.user_id
    await record(owner, "quiz", 75, userId=carol.user_id)
    assert await record_error(carol, "quiz", 100, userId=bob.user_id) == "FORBIDDEN"
    await record(carol, "quiz", 77, userId=carol.user_id)

    assert await scores(bob, "quiz") == {bob.user_id: 88, carol.user_id: 77}


async def test_scores_are_recorded_only_for_active_members(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await define(owner, "quiz", "Quiz", "MAX")
    stranger = await login(api, "stranger")
    await bob.leave()

    assert await record_error(owner, "quiz", 1, userId=stranger.user_id) == "NOT_FOUND"
    assert await record_error(owner, "quiz", 1, userId=bob.user_id) == "NOT_FOUND"
    assert await record_error(owner, "quiz", 1, userId="not-an-id") == "NOT_FOUND"
    assert await record_error(bob, "quiz", 1) == "FORBIDDEN"
    code = await stranger.error_code(
        RECORD_SCORE, groupId=owner.group_id, metric="quiz", value=1, clientId="c1"
    )
    assert code == "FORBIDDEN"
    assert (await ranking(owner, "quiz", period="ALL"))["participantCount"] == 0


@pytest.mark.parametrize(
    ("metric", "code"),
    [
        ("nosuchmetric", "NOT_FOUND"),
        ("steps", "BAD_USER_INPUT"),
        ("posts", "BAD_USER_INPUT"),
        ("acceptedAnswers", "BAD_USER_INPUT"),
    ],
)
async def test_values_are_recorded_only_for_the_groups_own_metrics(
    api: Api, metric: str, code: str
) -> None:
    [alice] = await join_in_order(api, "alice")
    assert await record_error(alice, metric, 1000) == code
    if metric != "nosuchmetric":
        assert (await ranking(alice, metric, period="ALL"))["participantCount"] == 0


async def test_values_are_finite_and_at_most_a_trillion(api: Api) -> None:
    [alice] = await join_in_order(api, "alice")
    await define(alice, "distance")
    for value in [1e300, 1e12 + 1, -1e13]:
        assert await record_error(alice, "distance", value) == "BAD_USER_INPUT"
    # JSON itself has no NaN or Infinity, but Python's and some clients' encoders write them.
    for literal in ["NaN", "Infinity", "-Infinity", "1e400"]:
        variables = {"groupId": alice.group_id, "metric": "distance", "value": "?", "clientId": "c"}
        body = json.dumps({"query": RECORD_SCORE, "variables": variables})
        response = await api.http.post(
            "/graphql",
            content=body.replace('"?"', literal),
            headers={"Authorization": f"Bearer {alice.token}", "Content-Type": "application/json"},
        )
        assert response.status_code in (200, 400), response.text
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", literal
    inline = f'mutation {{ recordScore(groupId: "{alice.group_id}", metric: "distance", '
    for overflowing in ["1e400", "-1e400"]:
        document = inline + f'value: {overflowing}, clientId: "lit") {{ value }} }}'
        assert await alice.error_code(document) == "BAD_USER_INPUT"
    assert (await record(alice, "distance", -1e12))["value"] == -1e12
    assert await scores(alice, "distance") == {alice.user_id: -1e12}


async def test_posts_count_every_item_a_member_posts(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    question = await alice.post(type="QUESTION", text="Lunch?")
    await bob.say("Noodles", replyTo=question["id"])
    await bob.say("or dumplings")
    await bob.say("or both")

    for period in ["DAY", "WEEK", "MONTH", "ALL"]:
        assert standings(await ranking(alice, "posts", period=period)) == [
            (bob.user_id, 1, 3),
            (alice.user_id, 2, 1),
        ]


async def test_accepted_answers_count_the_first_answer_accepted_for_each_question(
    api: Api,
) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    first = await alice.post(type="QUESTION", text="Who has the keys?")
    by_bob = await bob.say("I do", replyTo=first["id"])
    by_carol = await carol.say("No, I do", replyTo=first["id"])
    await alice.data(ACCEPT, questionId=first["id"], answerId=by_bob["id"])
    await alice.data(ACCEPT, questionId=first["id"], answerId=by_carol["id"])
    await alice.data(ACCEPT, questionId=first["id"], answerId=by_bob["id"])
    second = await carol.post(type="QUESTION", text="Where is the car?")
    again = await bob.say("Outside", replyTo=second["id"])
    await carol.data(ACCEPT, questionId=second["id"], answerId=again["id"])

    for period in ["DAY", "ALL"]:
        assert standings(await ranking(carol, "acceptedAnswers", period=period)) == [
            (bob.user_id, 1, 2)
        ]


async def test_an_answer_accepted_after_its_author_left_ranks_nobody(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    question = await alice.post(type="QUESTION", text="Who has the keys?")
    answer = await bob.say("I do", replyTo=question["id"])
    await bob.leave()

    await alice.data(ACCEPT, questionId=question["id"], answerId=answer["id"])

    ranked = await ranking(alice, "acceptedAnswers", period="ALL")
    assert (ranked["participantCount"], ranked["entries"]["edges"]) == (0, [])


async def test_a_member_who_rejoins_starts_every_ranking_afresh(api: Api, clock: Clock) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await define(alice, "checkins")
    await record(bob, "checkins", 5)
    await bob.say("before leaving")
    await bob.leave()

    clock.advance(minutes=1)  # a new membership: its records are its own
    back = await join(api, "bob")
    await record(back, "checkins", 1)
    await back.say("back again")

    assert await scores(alice, "posts", period="ALL") == {back.user_id: 1}
    assert await scores(alice, "checkins", period="ALL") == {back.user_id: 1}


async def test_a_post_held_for_review_is_not_counted(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await bob.say("shown")
    await bob.say("dev-review this one waits for an admin")

    assert await scores(alice, "posts", period="ALL") == {bob.user_id: 1}
