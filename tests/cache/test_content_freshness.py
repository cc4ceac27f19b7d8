"""The response cache never serves a stale answer: a page read twice comes from the cache, and
the next read after any change to what it shows (posts, edits, pins, polls, questions, replies)
shows that change."""

from datetime import timedelta

from tests.actors import join_in_order
from tests.cache.pages import (
    hiking_club,
    item_on,
    page_from_cache,
    poll_on,
    read_page,
    vote_counts,
)
from tests.conftest import Api, Clock
from tests.polls.documents import VOTE, drinks_poll, option_ids_of
from tests.questions.documents import ACCEPT


async def test_a_new_post_shows_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    unread_before = (await page_from_cache(club.alice))["viewerUnread"]["count"]
    posted = await club.bob.say("Meet at 8")
    page = await read_page(club.alice)
    assert item_on(page, posted["id"])["text"] == "Meet at 8"
    assert page["lastSeq"] == posted["seq"]
    assert page["viewerUnread"]["count"] == unread_before + 1


async def test_an_edit_shows_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    await club.bob.edit(club.hello, "hello, edited")
    shown = item_on(await read_page(club.alice), club.hello["id"])
    assert shown["text"] == "hello, edited"
    assert shown["editedAt"] is not None


async def test_a_deleted_item_shows_as_a_tombstone_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    await club.bob.delete(club.hello)
    assert item_on(await read_page(club.alice), club.hello["id"])["isDeleted"] is True


async def test_a_pin_and_an_unpin_show_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.bob)
    await club.alice.pin(club.hello)
    page = await page_from_cache(club.bob)
    assert page["pinnedItems"] == [{"id": club.hello["id"]}]
    assert item_on(page, club.hello["id"])["isPinned"] is True
    await club.alice.pin(club.hello, pinned=False)
    page = await read_page(club.bob)
    assert page["pinnedItems"] == []
    assert item_on(page, club.hello["id"])["isPinned"] is False


async def test_a_vote_shows_in_the_tally_and_as_the_voters_own_choice(api: Api) -> None:
    club = await hiking_club(api)
    tea, coffee, _ = option_ids_of(club.poll)
    await page_from_cache(club.alice)
    await page_from_cache(club.bob)
    await club.bob.vote(club.poll, [coffee])
    poll = poll_on(await read_page(club.alice), club.poll)
    assert (poll["voterCount"], vote_counts(poll), poll["viewerOptionIds"]) == (1, [0, 1, 0], [])
    assert poll_on(await page_from_cache(club.bob), club.poll)["viewerOptionIds"] == [coffee]
    await club.bob.vote(club.poll, [tea])
    poll = poll_on(await read_page(club.bob), club.poll)
    assert (vote_counts(poll), poll["viewerOptionIds"]) == ([1, 0, 0], [tea])


async def test_a_poll_shows_closed_once_the_clock_passes_its_closing_time(
    api: Api, clock: Clock
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    poll = await drinks_poll(alice, closesAt=(clock.now + timedelta(minutes=10)).isoformat())
    assert poll_on(await page_from_cache(bob), poll)["isClosed"] is False
    clock.advance(minutes=10)
    assert poll_on(await read_page(bob), poll)["isClosed"] is True


async def test_a_poll_shows_closed_the_moment_its_closing_time_passes(
    api: Api, clock: Clock
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    poll = await drinks_poll(alice, closesAt=(clock.now + timedelta(seconds=0.5)).isoformat())
    assert poll_on(await page_from_cache(bob), poll)["isClosed"] is False
    clock.advance(seconds=0.5)
    code = await bob.error_code(VOTE, itemId=poll["id"], optionIds=option_ids_of(poll)[:1])
    assert code == "CONFLICT"  # the poll is closed
    assert poll_on(await read_page(bob), poll)["isClosed"] is True


async def test_an_answer_and_its_acceptance_show_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.bob)
    answer = await club.carol.say("Carol has them", replyTo=club.question["id"])
    assert item_on(await page_from_cache(club.bob), club.question["id"])["replyCount"] == 1
    await club.alice.data(ACCEPT, questionId=club.question["id"], answerId=answer["id"])
    accepted = item_on(await read_page(club.bob), club.question["id"])["acceptedAnswer"]
    assert accepted == {"id": answer["id"], "text": "Carol has them"}


async def test_a_reply_counts_on_the_item_it_replies_to(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    await club.carol.say("hi bob", replyTo=club.hello["id"])
    assert item_on(await read_page(club.alice), club.hello["id"])["replyCount"] == 1
