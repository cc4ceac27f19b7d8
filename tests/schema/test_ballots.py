"""Ballots: voting, changing and withdrawing a ballot, and who sees which votes."""

import asyncio

from tests.conftest import Api
from tests.members import token_and_ids
from tests.schema.polls import POST, cast_vote, option_ids_of, poll_seen_by, post_poll, vote_counts

FEED_PAGE = """
query($id: ID!, $first: Int) {
  group(id: $id) {
    items(first: $first) {
      edges {
        node {
          seq author { id } replyTo { id } replyCount
          poll { voterCount viewerOptionIds options { id voteCount voters { id } } }
        }
      }
    }
  }
}
"""


async def test_a_member_posts_a_poll_that_starts_without_votes(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    item = await post_poll(api, alice, group_id)
    poll = item["poll"]
    assert [option["text"] for option in poll["options"]] == ["tea", "coffee", "juice"]
    assert poll["isMultipleChoice"] is poll["isAnonymous"] is poll["isClosed"] is False
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (0, [])
    assert vote_counts(poll) == [0, 0, 0]


async def test_a_member_votes_and_sees_their_ballot_counted(api: Api) -> None:
    alice, group_id, alice_id = await token_and_ids(api, "alice")
    item = await post_poll(api, alice, group_id)
    tea, _, _ = option_ids_of(item)
    poll = await cast_vote(api, alice, item["id"], [tea])
    assert vote_counts(poll) == [1, 0, 0]
    assert poll["voterCount"] == 1
    assert poll["viewerOptionIds"] == [tea]
    assert poll["options"][0]["voters"] == [{"id": alice_id}]


async def test_voting_again_replaces_the_ballot(api: Api) -> None:
    alice, group_id, alice_id = await token_and_ids(api, "alice")
    item = await post_poll(api, alice, group_id)
    tea, coffee, _ = option_ids_of(item)
    await cast_vote(api, alice, item["id"], [tea])
    poll = await cast_vote(api, alice, item["id"], [coffee])
    assert vote_counts(poll) == [0, 1, 0]
    assert poll["voterCount"] == 1
    assert poll["viewerOptionIds"] == [coffee]
    assert [option["voters"] for option in poll["options"]] == [[], [{"id": alice_id}], []]


async def test_voting_for_no_option_withdraws_the_ballot(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    item = await post_poll(api, alice, group_id)
    tea, _, _ = option_ids_of(item)
    await cast_vote(api, alice, item["id"], [tea])
    poll = await cast_vote(api, alice, item["id"], [])
    assert vote_counts(poll) == [0, 0, 0]
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (0, [])
    assert poll["options"][0]["voters"] == []


async def test_a_multiple_choice_poll_takes_several_options_from_one_voter(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    item = await post_poll(api, alice, group_id, multipleChoice=True)
    tea, coffee, _ = option_ids_of(item)
    poll = await cast_vote(api, alice, item["id"], [tea, coffee])
    assert poll["isMultipleChoice"] is True
    assert vote_counts(poll) == [1, 1, 0]
    assert poll["voterCount"] == 1
    assert sorted(poll["viewerOptionIds"]) == sorted([tea, coffee])


async def test_each_member_sees_their_own_ballot(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    carol, _, _ = await token_and_ids(api, "carol")
    item = await post_poll(api, alice, group_id)
    tea, coffee, _ = option_ids_of(item)
    await cast_vote(api, alice, item["id"], [tea])
    await cast_vote(api, bob, item["id"], [coffee])
    for token, ballot in [(alice, [tea]), (bob, [coffee]), (carol, [])]:
        poll = await poll_seen_by(api, token, group_id)
        assert poll["viewerOptionIds"] == ballot
        assert (poll["voterCount"], vote_counts(poll)) == (2, [1, 1, 0])


async def test_an_open_poll_lists_who_chose_each_option(api: Api) -> None:
    alice, group_id, alice_id = await token_and_ids(api, "alice")
    bob, _, bob_id = await token_and_ids(api, "bob")
    carol, _, carol_id = await token_and_ids(api, "carol")
    item = await post_poll(api, alice, group_id, multipleChoice=True)
    tea, coffee, _ = option_ids_of(item)
    await cast_vote(api, alice, item["id"], [tea])
    await cast_vote(api, bob, item["id"], [tea, coffee])
    await cast_vote(api, carol, item["id"], [coffee])
    poll = await poll_seen_by(api, carol, group_id)
    voters = [sorted(voter["id"] for voter in option["voters"]) for option in poll["options"]]
    assert voters == [sorted([alice_id, bob_id]), sorted([bob_id, carol_id]), []]


async def test_an_anonymous_poll_never_lists_voters(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    item = await post_poll(api, alice, group_id, anonymous=True)
    tea, _, _ = option_ids_of(item)
    voted = await cast_vote(api, bob, item["id"], [tea])
    assert [option["voters"] for option in voted["options"]] == [None, None, None]
    for token in (alice, bob):
        poll = await poll_seen_by(api, token, group_id)
        assert poll["isAnonymous"] is True
        assert vote_counts(poll) == [1, 0, 0]
        assert [option["voters"] for option in poll["options"]] == [None, None, None]
    assert voted["viewerOptionIds"] == [tea]


async def test_thirty_members_voting_at_once_each_get_exactly_one_ballot(api: Api) -> None:
    members = [await token_and_ids(api, f"user-{n}") for n in range(30)]
    tokens = [token for token, _, _ in members]
    group_id = members[0][1]
    item = await post_poll(api, tokens[0], group_id)
    tea, coffee, _ = option_ids_of(item)
    # The first ten send two different ballots at the same time: one of them must win whole.
    ballots = [(token, [(tea, coffee)[n % 2]]) for n, token in enumerate(tokens)]
    ballots += [(token, [(coffee, tea)[n % 2]]) for n, token in enumerate(tokens[:10])]
    await asyncio.gather(*(cast_vote(api, token, item["id"], choice) for token, choice in ballots))
    poll = await poll_seen_by(api, tokens[0], group_id)
    assert poll["voterCount"] == 30
    assert sum(vote_counts(poll)) == 30
    assert sum(len(option["voters"]) for option in poll["options"]) == 30
    for token in tokens[:10]:
        assert len((await poll_seen_by(api, token, group_id))["viewerOptionIds"]) == 1


async def test_a_feed_page_of_polls_costs_the_same_round_trips_for_2_or_20_items(
    api: Api,
) -> None:
    members = [await token_and_ids(api, code) for code in ("alice", "bob", "carol")]
    tokens = [token for token, _, _ in members]
    group_id = members[0][1]
    for n in range(10):
        item = await post_poll(api, tokens[n % 3], group_id, multipleChoice=True)
        options = option_ids_of(item)
        await cast_vote(api, tokens[0], item["id"], options[:2])
        await cast_vote(api, tokens[1], item["id"], options[n % 3 : n % 3 + 1])
        reply = {"groupId": group_id, "text": f"reply {n}", "replyTo": item["id"]}
        await api.data(POST, {"input": reply}, token=tokens[(n + 1) % 3])

    async def round_trips(first: int) -> int:
        api.round_trips.reset()
        page = await api.data(FEED_PAGE, {"id": group_id, "first": first}, token=tokens[2])
        assert len(page["group"]["items"]["edges"]) == first
        return len(api.round_trips.commands)

    assert await round_trips(2) == await round_trips(20)
