"""Ballots: voting, changing and withdrawing a ballot, and who sees which votes."""

import asyncio

from tests.actors import join, join_in_order
from tests.conftest import Api
from tests.polls.documents import drinks_poll, option_ids_of, poll_seen_by, vote_counts

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
    alice = await join(api, "alice")
    poll = (await drinks_poll(alice))["poll"]
    assert [option["text"] for option in poll["options"]] == ["tea", "coffee", "juice"]
    assert poll["isMultipleChoice"] is poll["isAnonymous"] is poll["isClosed"] is False
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (0, [])
    assert vote_counts(poll) == [0, 0, 0]


async def test_a_member_votes_and_sees_their_ballot_counted(api: Api) -> None:
    alice = await join(api, "alice")
    item = await drinks_poll(alice)
    tea, _, _ = option_ids_of(item)
    poll = await alice.vote(item, [tea])
    assert vote_counts(poll) == [1, 0, 0]
    assert poll["voterCount"] == 1
    assert poll["viewerOptionIds"] == [tea]
    assert poll["options"][0]["voters"] == [{"id": alice.user_id}]


async def test_voting_again_replaces_the_ballot(api: Api) -> None:
    alice = await join(api, "alice")
    item = await drinks_poll(alice)
    tea, coffee, _ = option_ids_of(item)
    await alice.vote(item, [tea])
    poll = await alice.vote(item, [coffee])
    assert vote_counts(poll) == [0, 1, 0]
    assert poll["voterCount"] == 1
    assert poll["viewerOptionIds"] == [coffee]
    assert [option["voters"] for option in poll["options"]] == [[], [{"id": alice.user_id}], []]


async def test_voting_for_no_option_withdraws_the_ballot(api: Api) -> None:
    alice = await join(api, "alice")
    item = await drinks_poll(alice)
    tea, _, _ = option_ids_of(item)
    await alice.vote(item, [tea])
    poll = await alice.vote(item, [])
    assert vote_counts(poll) == [0, 0, 0]
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (0, [])
    assert poll["options"][0]["voters"] == []


async def test_a_multiple_choice_poll_takes_several_options_from_one_voter(api: Api) -> None:
    alice = await join(api, "alice")
    item = await drinks_poll(alice, multipleChoice=True)
    tea, coffee, _ = option_ids_of(item)
    poll = await alice.vote(item, [tea, coffee])
    assert poll["isMultipleChoice"] is True
    assert vote_counts(poll) == [1, 1, 0]
    assert poll["voterCount"] == 1
    assert sorted(poll["viewerOptionIds"]) == sorted([tea, coffee])


async def test_each_member_sees_their_own_ballot(api: Api) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    item = await drinks_poll(alice)
    tea, coffee, _ = option_ids_of(item)
    await alice.vote(item, [tea])
    await bob.vote(item, [coffee])
    for member, ballot in [(alice, [tea]), (bob, [coffee]), (carol, [])]:
        poll = await poll_seen_by(member)
        assert poll["viewerOptionIds"] == ballot
        assert (poll["voterCount"], vote_counts(poll)) == (2, [1, 1, 0])


async def test_an_open_poll_lists_who_chose_each_option(api: Api) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    item = await drinks_poll(alice, multipleChoice=True)
    tea, coffee, _ = option_ids_of(item)
    await alice.vote(item, [tea])
    await bob.vote(item, [tea, coffee])
    await carol.vote(item, [coffee])
    poll = await poll_seen_by(carol)
    voters = [sorted(voter["id"] for voter in option["voters"]) for option in poll["options"]]
    assert voters == [
        sorted([alice.user_id, bob.user_id]),
        sorted([bob.user_id, carol.user_id]),
        [],
    ]


async def test_an_anonymous_poll_never_lists_voters(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    item = await drinks_poll(alice, anonymous=True)
    tea, _, _ = option_ids_of(item)
    voted = await bob.vote(item, [tea])
    assert [option["voters"] for option in voted["options"]] == [None, None, None]
    for member in (alice, bob):
        poll = await poll_seen_by(member)
        assert poll["isAnonymous"] is True
        assert vote_counts(poll) == [1, 0, 0]
        assert [option["voters"] for option in poll["options"]] == [None, None, None]
    assert voted["viewerOptionIds"] == [tea]


async def test_thirty_members_voting_at_once_each_get_exactly_one_ballot(api: Api) -> None:
    members = [await join(api, f"user-{n}") for n in range(30)]
    item = await drinks_poll(members[0])
    tea, coffee, _ = option_ids_of(item)
    # The first ten send two different ballots at the same time: one of them must win whole.
    ballots = [(member, [(tea, coffee)[n % 2]]) for n, member in enumerate(members)]
    ballots += [(member, [(coffee, tea)[n % 2]]) for n, member in enumerate(members[:10])]
    await asyncio.gather(*(member.vote(item, choice) for member, choice in ballots))
    poll = await poll_seen_by(members[0])
    assert poll["voterCount"] == 30
    assert sum(vote_counts(poll)) == 30
    assert sum(len(option["voters"]) for option in poll["options"]) == 30
    for member in members[:10]:
        assert len((await poll_seen_by(member))["viewerOptionIds"]) == 1


async def test_a_feed_page_of_polls_costs_the_same_round_trips_for_2_or_20_items(
    api: Api,
) -> None:
    members = await join_in_order(api, "alice", "bob", "carol")
    for n in range(10):
        item = await drinks_poll(members[n % 3], multipleChoice=True)
        options = option_ids_of(item)
        await members[0].vote(item, options[:2])
        await members[1].vote(item, options[n % 3 : n % 3 + 1])
        await members[(n + 1) % 3].say(f"reply {n}", replyTo=item["id"])

    async def round_trips(first: int) -> int:
        await api.forget_kept_reads()
        api.round_trips.reset()
        page = await members[2].data(FEED_PAGE, id=members[2].group_id, first=first)
        assert len(page["group"]["items"]["edges"]) == first
        return len(api.round_trips.commands)

    assert await round_trips(2) == await round_trips(20)
