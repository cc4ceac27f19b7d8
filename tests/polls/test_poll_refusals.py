"""Ballots a poll refuses: bad options, non-polls, non-members, closed and deleted polls."""

from datetime import timedelta

from tests.actors import join, join_in_order, login
from tests.conftest import Api, Clock
from tests.polls.documents import VOTE, drinks_poll, option_ids_of, poll_seen_by


async def test_a_single_choice_poll_refuses_a_ballot_with_two_options(api: Api) -> None:
    alice = await join(api, "alice")
    item = await drinks_poll(alice)
    tea, coffee, _ = option_ids_of(item)
    code = await alice.error_code(VOTE, itemId=item["id"], optionIds=[tea, coffee])
    assert code == "BAD_USER_INPUT"
    assert (await poll_seen_by(alice))["voterCount"] == 0


async def test_a_ballot_naming_an_unknown_or_repeated_option_is_bad_input(api: Api) -> None:
    alice = await join(api, "alice")
    single = await drinks_poll(alice)
    multiple = await drinks_poll(alice, multipleChoice=True)
    tea, _, _ = option_ids_of(multiple)
    for item, option_ids in [
        (single, ["no-such-option"]),
        (multiple, [tea, "no-such-option"]),
        (multiple, [tea, tea]),
        (single, [option_ids_of(single)[0]] * 2),
    ]:
        code = await alice.error_code(VOTE, itemId=item["id"], optionIds=option_ids)
        assert code == "BAD_USER_INPUT", option_ids
    assert (await poll_seen_by(alice))["voterCount"] == 0


async def test_voting_on_a_text_item_is_bad_input(api: Api) -> None:
    alice = await join(api, "alice")
    text_item = await alice.say("just chatting")
    assert text_item["poll"] is None
    assert await alice.error_code(VOTE, itemId=text_item["id"], optionIds=[]) == "BAD_USER_INPUT"


async def test_a_non_member_cannot_vote(api: Api) -> None:
    alice = await join(api, "alice")
    item = await drinks_poll(alice)
    mallory = await login(api, "mallory")
    code = await mallory.error_code(VOTE, itemId=item["id"], optionIds=option_ids_of(item)[:1])
    assert code == "FORBIDDEN"
    assert (await poll_seen_by(alice))["voterCount"] == 0


async def test_a_member_who_left_can_no_longer_vote(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    item = await drinks_poll(alice)
    await bob.leave()
    code = await bob.error_code(VOTE, itemId=item["id"], optionIds=option_ids_of(item)[:1])
    assert code == "FORBIDDEN"


async def test_a_poll_past_its_closing_time_is_closed_and_refuses_votes(
    api: Api, clock: Clock
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    item = await drinks_poll(alice, closesAt=(clock.now + timedelta(hours=1)).isoformat())
    tea, coffee, _ = option_ids_of(item)
    assert item["poll"]["isClosed"] is False
    await alice.vote(item, [tea])
    clock.advance(hours=1, seconds=1)
    assert (await poll_seen_by(bob))["isClosed"] is True
    for member, option_ids in [(bob, [coffee]), (alice, [coffee]), (alice, [])]:
        code = await member.error_code(VOTE, itemId=item["id"], optionIds=option_ids)
        assert code == "CONFLICT"
    poll = await poll_seen_by(alice)
    assert (poll["voterCount"], poll["viewerOptionIds"]) == (1, [tea])


async def test_a_poll_cannot_close_in_the_past(api: Api, clock: Clock) -> None:
    alice = await join(api, "alice")
    closes_at = (clock.now - timedelta(minutes=1)).isoformat()
    poll = {"options": ["tea", "coffee"], "closesAt": closes_at}
    assert await alice.post_error(type="POLL", text="Drink?", poll=poll) == "BAD_USER_INPUT"


async def test_voting_on_a_deleted_poll_is_refused(api: Api) -> None:
    alice = await join(api, "alice")
    item = await drinks_poll(alice)
    tea, _, _ = option_ids_of(item)
    assert (await alice.delete(item))["isDeleted"] is True
    assert await alice.error_code(VOTE, itemId=item["id"], optionIds=[tea]) == "BAD_USER_INPUT"
