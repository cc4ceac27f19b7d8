"""Editing an item's text, and recalling or deleting items, which leaves a tombstone."""

from tests.actors import join, join_in_order
from tests.conftest import Api, Clock
from tests.items.documents import DELETE, EDIT, image


async def test_the_author_edits_the_text_and_the_item_shows_when(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.say("helo")
    assert item["editedAt"] is None
    edited = await alice.edit(item, "hello")
    assert (edited["id"], edited["seq"], edited["text"]) == (item["id"], item["seq"], "hello")
    assert edited["editedAt"] is not None
    assert (await alice.feed())[0]["text"] == "hello"


async def test_link_and_question_items_can_be_edited(api: Api) -> None:
    alice = await join(api, "alice")
    link = await alice.post(type="LINK", link={"url": "https://example.com/"}, text="see")
    question = await alice.post(type="QUESTION", text="who?")
    for item in [link, question]:
        edited = await alice.edit(item, "changed")
        assert (edited["text"], edited["type"]) == ("changed", item["type"])


async def test_images_and_polls_cannot_be_edited(api: Api) -> None:
    alice = await join(api, "alice")
    photo = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/a.jpg")])
    poll = await alice.post(type="POLL", text="Lunch?", poll={"options": ["Yes", "No"]})
    for item in [photo, poll]:
        code = await alice.error_code(EDIT, itemId=item["id"], text="caption")
        assert code == "BAD_USER_INPUT", item["type"]


async def test_nobody_edits_someone_elses_item_not_even_the_owner(api: Api) -> None:
    olivia, bob = await join_in_order(api, "olivia", "bob")
    bobs = await bob.say("mine")
    olivias = await olivia.say("the owner's")
    assert await olivia.error_code(EDIT, itemId=bobs["id"], text="owned") == "FORBIDDEN"
    assert await bob.error_code(EDIT, itemId=olivias["id"], text="hacked") == "FORBIDDEN"
    assert [item["text"] for item in await bob.feed()] == ["the owner's", "mine"]


async def test_a_deleted_item_cannot_be_edited(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.say("oops")
    await alice.delete(item)
    code = await alice.error_code(EDIT, itemId=item["id"], text="back again")
    assert code in ("BAD_USER_INPUT", "CONFLICT")
    assert (await alice.feed())[0]["text"] is None


async def test_the_author_recalls_an_item_leaving_a_tombstone_in_the_feed(api: Api) -> None:
    alice = await join(api, "alice")
    await alice.say("first")
    photo = await alice.post(
        type="IMAGE", text="wrong chat", media=[image("https://cdn.example.com/a.jpg")]
    )
    await alice.say("third")
    tombstone = await alice.delete(photo)
    assert (tombstone["id"], tombstone["seq"], tombstone["type"]) == (photo["id"], 2, "IMAGE")
    assert (tombstone["isDeleted"], tombstone["text"], tombstone["media"]) == (True, None, [])
    assert tombstone["deletedAt"] is not None
    feed = await alice.feed()
    assert [item["seq"] for item in feed] == [3, 2, 1]
    assert feed[1] == tombstone


async def test_link_and_poll_content_is_gone_from_a_tombstone(api: Api) -> None:
    alice = await join(api, "alice")
    link = await alice.post(type="LINK", link={"url": "https://example.com/"})
    poll = await alice.post(type="POLL", text="Lunch?", poll={"options": ["Yes", "No"]})
    for item in [link, poll]:
        tombstone = await alice.delete(item)
        assert (tombstone["link"], tombstone["poll"], tombstone["text"]) == (None, None, None)


async def test_the_author_recalls_within_the_window_but_not_after_it(
    api: Api, clock: Clock
) -> None:
    _, bob = await join_in_order(api, "olivia", "bob")
    early, late = await bob.say("early"), await bob.say("late")
    clock.advance(seconds=119)
    assert (await bob.delete(early))["isDeleted"] is True
    clock.advance(seconds=2)
    assert await bob.error_code(DELETE, itemId=late["id"]) == "FORBIDDEN"
    assert (await bob.feed())[0]["isDeleted"] is False


async def test_the_owner_deletes_a_members_item_after_the_recall_window(
    api: Api, clock: Clock
) -> None:
    olivia, bob = await join_in_order(api, "olivia", "bob")
    item = await bob.say("regrettable")
    clock.advance(seconds=121)
    assert await bob.error_code(DELETE, itemId=item["id"]) == "FORBIDDEN"
    tombstone = await olivia.delete(item)
    assert (tombstone["isDeleted"], tombstone["text"]) == (True, None)


async def test_a_member_cannot_delete_someone_elses_item(api: Api) -> None:
    olivia, bob = await join_in_order(api, "olivia", "bob")
    item = await olivia.say("the rules")
    assert await bob.error_code(DELETE, itemId=item["id"]) == "FORBIDDEN"
    assert (await bob.feed())[0]["isDeleted"] is False


async def test_an_admin_deletes_anyones_item_at_any_time(api: Api, clock: Clock) -> None:
    olivia, bob = await join_in_order(api, "olivia", "bob")
    carol = await join(api, "carol")
    await olivia.set_role(carol, "ADMIN")
    items = [await bob.say("bob's"), await olivia.say("the owner's")]
    clock.advance(hours=1)
    for item in items:
        assert (await carol.delete(item))["isDeleted"] is True


async def test_the_author_edits_long_after_the_recall_window(api: Api, clock: Clock) -> None:
    _, bob = await join_in_order(api, "olivia", "bob")
    item = await bob.say("typo")
    clock.advance(days=1)
    assert (await bob.edit(item, "fixed"))["text"] == "fixed"


async def test_deleting_twice_returns_the_same_tombstone(api: Api, clock: Clock) -> None:
    alice = await join(api, "alice")
    item = await alice.say("twice")
    first = await alice.delete(item)
    clock.advance(seconds=5)
    second = await alice.delete(item)
    assert second == first
