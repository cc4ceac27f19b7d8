"""Polls: posting one, voting, changing and withdrawing a ballot, closing, anonymity."""

import asyncio
from datetime import timedelta
from typing import Any

from tests.conftest import Api, Clock

POLL_VIEW = """
fragment PollView on GroupItem {
  id
  poll {
    isMultipleChoice isAnonymous closesAt isClosed voterCount viewerOptionIds
    options { id text voteCount voters { id } }
  }
}
"""
POST = "mutation($input: PostItemInput!) { postItem(input: $input) { ...PollView } }" + POLL_VIEW
VOTE = (
    "mutation($itemId: ID!, $optionIds: [ID!]!) "
    "{ vote(itemId: $itemId, optionIds: $optionIds) { ...PollView } }" + POLL_VIEW
)
NEWEST_ITEM = (
    "query($id: ID!) { group(id: $id) { items(first: 1) { edges { node { ...PollView } } } } }"
    + POLL_VIEW
)
LEAVE = "mutation($groupId: ID!) { leaveGroup(groupId: $groupId) { status } }"
DELETE = "mutation($itemId: ID!) { deleteItem(itemId: $itemId) { id isDeleted } }"
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


async def _member(api: Api, code: str, gid: str = "G1") -> tuple[str, str, str]:
    """Joins `code` to the chat `gid`: their token, the group's id and their user id."""
    joined = await api.join(code, gid)
    return await api.login_as(code), joined["group"]["id"], joined["member"]["user"]["id"]


async def _post_poll(api: Api, token: str, group_id: str, **poll: Any) -> dict[str, Any]:
    poll.setdefault("options", ["tea", "coffee", "juice"])
    variables = {
        "input": {"groupId": group_id, "type": "POLL", "text": "What to drink?", "poll": poll}
    }
    item: dict[str, Any] = (await api.data(POST, variables, token=token))["postItem"]
    return item


async def _vote(api: Api, token: str, item_id: str, option_ids: list[str]) -> dict[str, Any]:
    variables = {"itemId": item_id, "optionIds": option_ids}
    poll: dict[str, Any] = (await api.data(VOTE, variables, token=token))["vote"]["poll"]
    return poll


async def _poll_seen_by(api: Api, token: str, group_id: str) -> dict[str, Any]:
    """The poll of the group's newest item, as the holder of `token` sees it."""
    edges = (await api.data(NEWEST_ITEM, {"id": group_id}, token=token))["group"]["items"]["edges"]
    poll: dict[str, Any] = edges[0]["node"]["poll"]
    return poll


def _option_ids(item: dict[str, Any]) -> list[str]:
    return [option["id"] for option in item["poll"]["options"]]


def _vote_counts(poll: dict[str, Any]) -> list[int]:
    return [option["voteCount"] for option in poll["options"]]


async def test_a_member_posts_a_poll_that_starts_without_votes(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    item = await _post_poll(api, alice, group_id)
    poll = item["poll"]
    assert [option["text"] for option in poll["options"]] == ["tea", "coffee", "juice"]
    assert poll["isMultipleChoice"] is poll["isAnonymous"] is poll["isClosed"] is False
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (0, [])
    assert _vote_counts(poll) == [0, 0, 0]


async def test_a_member_votes_and_sees_their_ballot_counted(api: Api) -> None:
    alice, group_id, alice_id = await _member(api, "alice")
    item = await _post_poll(api, alice, group_id)
    tea, _, _ = _option_ids(item)
    poll = await _vote(api, alice, item["id"], [tea])
    assert _vote_counts(poll) == [1, 0, 0]
    assert poll["voterCount"] == 1
    assert poll["viewerOptionIds"] == [tea]
    assert poll["options"][0]["voters"] == [{"id": alice_id}]


async def test_voting_again_replaces_the_ballot(api: Api) -> None:
    alice, group_id, alice_id = await _member(api, "alice")
    item = await _post_poll(api, alice, group_id)
    tea, coffee, _ = _option_ids(item)
    await _vote(api, alice, item["id"], [tea])
    poll = await _vote(api, alice, item["id"], [coffee])
    assert _vote_counts(poll) == [0, 1, 0]
    assert poll["voterCount"] == 1
    assert poll["viewerOptionIds"] == [coffee]
    assert [option["voters"] for option in poll["options"]] == [[], [{"id": alice_id}], []]


async def test_voting_for_no_option_withdraws_the_ballot(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    item = await _post_poll(api, alice, group_id)
    tea, _, _ = _option_ids(item)
    await _vote(api, alice, item["id"], [tea])
    poll = await _vote(api, alice, item["id"], [])
    assert _vote_counts(poll) == [0, 0, 0]
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (0, [])
    assert poll["options"][0]["voters"] == []


async def test_a_single_choice_poll_refuses_a_ballot_with_two_options(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    item = await _post_poll(api, alice, group_id)
    tea, coffee, _ = _option_ids(item)
    variables = {"itemId": item["id"], "optionIds": [tea, coffee]}
    assert await api.error_code(VOTE, variables, token=alice) == "BAD_USER_INPUT"
    assert (await _poll_seen_by(api, alice, group_id))["voterCount"] == 0


async def test_a_multiple_choice_poll_takes_several_options_from_one_voter(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    item = await _post_poll(api, alice, group_id, multipleChoice=True)
    tea, coffee, _ = _option_ids(item)
    poll = await _vote(api, alice, item["id"], [tea, coffee])
    assert poll["isMultipleChoice"] is True
    assert _vote_counts(poll) == [1, 1, 0]
    assert poll["voterCount"] == 1
    assert sorted(poll["viewerOptionIds"]) == sorted([tea, coffee])


async def test_a_ballot_naming_an_unknown_or_repeated_option_is_bad_input(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    single = await _post_poll(api, alice, group_id)
    multiple = await _post_poll(api, alice, group_id, multipleChoice=True)
    tea, _, _ = _option_ids(multiple)
    for item_id, option_ids in [
        (single["id"], ["no-such-option"]),
        (multiple["id"], [tea, "no-such-option"]),
        (multiple["id"], [tea, tea]),
        (single["id"], [_option_ids(single)[0]] * 2),
    ]:
        variables = {"itemId": item_id, "optionIds": option_ids}
        assert await api.error_code(VOTE, variables, token=alice) == "BAD_USER_INPUT", option_ids
    assert (await _poll_seen_by(api, alice, group_id))["voterCount"] == 0


async def test_voting_on_a_text_item_is_bad_input(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    variables = {"input": {"groupId": group_id, "text": "just chatting"}}
    text_item = (await api.data(POST, variables, token=alice))["postItem"]
    assert text_item["poll"] is None
    vote = {"itemId": text_item["id"], "optionIds": []}
    assert await api.error_code(VOTE, vote, token=alice) == "BAD_USER_INPUT"


async def test_a_non_member_cannot_vote(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    item = await _post_poll(api, alice, group_id)
    mallory = await api.login_as("mallory")
    variables = {"itemId": item["id"], "optionIds": [_option_ids(item)[0]]}
    assert await api.error_code(VOTE, variables, token=mallory) == "FORBIDDEN"
    assert (await _poll_seen_by(api, alice, group_id))["voterCount"] == 0


async def test_a_member_who_left_can_no_longer_vote(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    bob, _, _ = await _member(api, "bob")
    item = await _post_poll(api, alice, group_id)
    await api.data(LEAVE, {"groupId": group_id}, token=bob)
    variables = {"itemId": item["id"], "optionIds": [_option_ids(item)[0]]}
    assert await api.error_code(VOTE, variables, token=bob) == "FORBIDDEN"


async def test_a_poll_past_its_closing_time_is_closed_and_refuses_votes(
    api: Api, clock: Clock
) -> None:
    alice, group_id, _ = await _member(api, "alice")
    bob, _, _ = await _member(api, "bob")
    closes_at = (clock.now + timedelta(hours=1)).isoformat()
    item = await _post_poll(api, alice, group_id, closesAt=closes_at)
    tea, coffee, _ = _option_ids(item)
    assert item["poll"]["isClosed"] is False
    await _vote(api, alice, item["id"], [tea])
    clock.advance(hours=1, seconds=1)
    assert (await _poll_seen_by(api, bob, group_id))["isClosed"] is True
    for token, option_ids in [(bob, [coffee]), (alice, [coffee]), (alice, [])]:
        variables = {"itemId": item["id"], "optionIds": option_ids}
        assert await api.error_code(VOTE, variables, token=token) == "CONFLICT"
    poll = await _poll_seen_by(api, alice, group_id)
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (1, [tea])


async def test_a_poll_cannot_close_in_the_past(api: Api, clock: Clock) -> None:
    alice, group_id, _ = await _member(api, "alice")
    closes_at = (clock.now - timedelta(minutes=1)).isoformat()
    poll = {"options": ["tea", "coffee"], "closesAt": closes_at}
    variables = {"input": {"groupId": group_id, "type": "POLL", "text": "Drink?", "poll": poll}}
    assert await api.error_code(POST, variables, token=alice) == "BAD_USER_INPUT"


async def test_voting_on_a_deleted_poll_is_refused(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    item = await _post_poll(api, alice, group_id)
    tea, _, _ = _option_ids(item)
    deleted = (await api.data(DELETE, {"itemId": item["id"]}, token=alice))["deleteItem"]
    assert deleted["isDeleted"] is True
    variables = {"itemId": item["id"], "optionIds": [tea]}
    assert await api.error_code(VOTE, variables, token=alice) == "BAD_USER_INPUT"


async def test_each_member_sees_their_own_ballot(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    bob, _, _ = await _member(api, "bob")
    carol, _, _ = await _member(api, "carol")
    item = await _post_poll(api, alice, group_id)
    tea, coffee, _ = _option_ids(item)
    await _vote(api, alice, item["id"], [tea])
    await _vote(api, bob, item["id"], [coffee])
    for token, ballot in [(alice, [tea]), (bob, [coffee]), (carol, [])]:
        poll = await _poll_seen_by(api, token, group_id)
        assert poll["viewerOptionIds"] == ballot
        assert (poll["voterCount"], _vote_counts(poll)) == (2, [1, 1, 0])


async def test_an_open_poll_lists_who_chose_each_option(api: Api) -> None:
    alice, group_id, alice_id = await _member(api, "alice")
    bob, _, bob_id = await _member(api, "bob")
    carol, _, carol_id = await _member(api, "carol")
    item = await _post_poll(api, alice, group_id, multipleChoice=True)
    tea, coffee, _ = _option_ids(item)
    await _vote(api, alice, item["id"], [tea])
    await _vote(api, bob, item["id"], [tea, coffee])
    await _vote(api, carol, item["id"], [coffee])
    poll = await _poll_seen_by(api, carol, group_id)
    voters = [sorted(voter["id"] for voter in option["voters"]) for option in poll["options"]]
    assert voters == [sorted([alice_id, bob_id]), sorted([bob_id, carol_id]), []]


async def test_an_anonymous_poll_never_lists_voters(api: Api) -> None:
    alice, group_id, _ = await _member(api, "alice")
    bob, _, _ = await _member(api, "bob")
    item = await _post_poll(api, alice, group_id, anonymous=True)
    tea, _, _ = _option_ids(item)
    voted = await _vote(api, bob, item["id"], [tea])
    assert [option["voters"] for option in voted["options"]] == [None, None, None]
    for token in (alice, bob):
        poll = await _poll_seen_by(api, token, group_id)
        assert poll["isAnonymous"] is True
        assert _vote_counts(poll) == [1, 0, 0]
        assert [option["voters"] for option in poll["options"]] == [None, None, None]
    assert voted["viewerOptionIds"] == [tea]


async def test_thirty_members_voting_at_once_each_get_exactly_one_ballot(api: Api) -> None:
    members = [await _member(api, f"user-{n}") for n in range(30)]
    tokens = [token for token, _, _ in members]
    group_id = members[0][1]
    item = await _post_poll(api, tokens[0], group_id)
    tea, coffee, _ = _option_ids(item)
    # The first ten send two different ballots at the same time: one of them must win whole.
    ballots = [(token, [(tea, coffee)[n % 2]]) for n, token in enumerate(tokens)]
    ballots += [(token, [(coffee, tea)[n % 2]]) for n, token in enumerate(tokens[:10])]
    await asyncio.gather(*(_vote(api, token, item["id"], choice) for token, choice in ballots))
    poll = await _poll_seen_by(api, tokens[0], group_id)
    assert poll["voterCount"] == 30
    assert sum(_vote_counts(poll)) == 30
    assert sum(len(option["voters"]) for option in poll["options"]) == 30
    for token in tokens[:10]:
        assert len((await _poll_seen_by(api, token, group_id))["viewerOptionIds"]) == 1


async def test_a_feed_page_of_polls_costs_the_same_round_trips_for_2_or_20_items(
    api: Api,
) -> None:
    members = [await _member(api, code) for code in ("alice", "bob", "carol")]
    tokens = [token for token, _, _ in members]
    group_id = members[0][1]
    for n in range(10):
        item = await _post_poll(api, tokens[n % 3], group_id, multipleChoice=True)
        options = _option_ids(item)
        await _vote(api, tokens[0], item["id"], options[:2])
        await _vote(api, tokens[1], item["id"], options[n % 3 : n % 3 + 1])
        reply = {"groupId": group_id, "text": f"reply {n}", "replyTo": item["id"]}
        await api.data(POST, {"input": reply}, token=tokens[(n + 1) % 3])

    async def round_trips(first: int) -> int:
        api.round_trips.reset()
        page = await api.data(FEED_PAGE, {"id": group_id, "first": first}, token=tokens[2])
        assert len(page["group"]["items"]["edges"]) == first
        return len(api.round_trips.commands)

    assert await round_trips(2) == await round_trips(20)
