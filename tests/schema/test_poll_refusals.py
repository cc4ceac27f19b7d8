"""Ballots a poll refuses: bad options, non-polls, non-members, closed and deleted polls."""

from datetime import timedelta

from tests.conftest import Api, Clock
from tests.members import LEAVE, token_and_ids
from tests.schema.items import DELETE
from tests.schema.polls import POST, VOTE, cast_vote, option_ids_of, poll_seen_by, post_poll


async def test_a_single_choice_poll_refuses_a_ballot_with_two_options(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    item = await post_poll(api, alice, group_id)
    tea, coffee, _ = option_ids_of(item)
    variables = {"itemId": item["id"], "optionIds": [tea, coffee]}
    assert await api.error_code(VOTE, variables, token=alice) == "BAD_USER_INPUT"
    assert (await poll_seen_by(api, alice, group_id))["voterCount"] == 0


async def test_a_ballot_naming_an_unknown_or_repeated_option_is_bad_input(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    single = await post_poll(api, alice, group_id)
    multiple = await post_poll(api, alice, group_id, multipleChoice=True)
    tea, _, _ = option_ids_of(multiple)
    for item_id, option_ids in [
        (single["id"], ["no-such-option"]),
        (multiple["id"], [tea, "no-such-option"]),
        (multiple["id"], [tea, tea]),
        (single["id"], [option_ids_of(single)[0]] * 2),
    ]:
        variables = {"itemId": item_id, "optionIds": option_ids}
        assert await api.error_code(VOTE, variables, token=alice) == "BAD_USER_INPUT", option_ids
    assert (await poll_seen_by(api, alice, group_id))["voterCount"] == 0


async def test_voting_on_a_text_item_is_bad_input(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    variables = {"input": {"groupId": group_id, "text": "just chatting"}}
    text_item = (await api.data(POST, variables, token=alice))["postItem"]
    assert text_item["poll"] is None
    vote = {"itemId": text_item["id"], "optionIds": []}
    assert await api.error_code(VOTE, vote, token=alice) == "BAD_USER_INPUT"


async def test_a_non_member_cannot_vote(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    item = await post_poll(api, alice, group_id)
    mallory = await api.login_as("mallory")
    variables = {"itemId": item["id"], "optionIds": [option_ids_of(item)[0]]}
    assert await api.error_code(VOTE, variables, token=mallory) == "FORBIDDEN"
    assert (await poll_seen_by(api, alice, group_id))["voterCount"] == 0


async def test_a_member_who_left_can_no_longer_vote(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    item = await post_poll(api, alice, group_id)
    await api.data(LEAVE, {"groupId": group_id}, token=bob)
    variables = {"itemId": item["id"], "optionIds": [option_ids_of(item)[0]]}
    assert await api.error_code(VOTE, variables, token=bob) == "FORBIDDEN"


async def test_a_poll_past_its_closing_time_is_closed_and_refuses_votes(
    api: Api, clock: Clock
) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    closes_at = (clock.now + timedelta(hours=1)).isoformat()
    item = await post_poll(api, alice, group_id, closesAt=closes_at)
    tea, coffee, _ = option_ids_of(item)
    assert item["poll"]["isClosed"] is False
    await cast_vote(api, alice, item["id"], [tea])
    clock.advance(hours=1, seconds=1)
    assert (await poll_seen_by(api, bob, group_id))["isClosed"] is True
    for token, option_ids in [(bob, [coffee]), (alice, [coffee]), (alice, [])]:
        variables = {"itemId": item["id"], "optionIds": option_ids}
        assert await api.error_code(VOTE, variables, token=token) == "CONFLICT"
    poll = await poll_seen_by(api, alice, group_id)
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (1, [tea])


async def test_a_poll_cannot_close_in_the_past(api: Api, clock: Clock) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    closes_at = (clock.now - timedelta(minutes=1)).isoformat()
    poll = {"options": ["tea", "coffee"], "closesAt": closes_at}
    variables = {"input": {"groupId": group_id, "type": "POLL", "text": "Drink?", "poll": poll}}
    assert await api.error_code(POST, variables, token=alice) == "BAD_USER_INPUT"


async def test_voting_on_a_deleted_poll_is_refused(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    item = await post_poll(api, alice, group_id)
    tea, _, _ = option_ids_of(item)
    deleted = (await api.data(DELETE, {"itemId": item["id"]}, token=alice))["deleteItem"]
    assert deleted["isDeleted"] is True
    variables = {"itemId": item["id"], "optionIds": [tea]}
    assert await api.error_code(VOTE, variables, token=alice) == "BAD_USER_INPUT"
