"""Posting each item type: what a member sends and what every client reads back."""

from datetime import timedelta

from tests.actors import join
from tests.conftest import Api, Clock
from tests.items.documents import CLOUD_FILE_ID, as_media, image, poll, video


async def test_a_text_item_has_no_media_link_poll_or_parent(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.post(type="TEXT", text="hello")
    assert item["groupId"] == alice.group_id
    assert (item["seq"], item["type"], item["text"]) == (1, "TEXT", "hello")
    assert (item["media"], item["link"], item["poll"], item["replyTo"]) == ([], None, None, None)
    assert (item["replyCount"], item["isDeleted"], item["isPinned"]) == (0, False, False)
    assert (item["editedAt"], item["deletedAt"]) == (None, None)


async def test_a_member_posts_an_album_of_images_with_a_caption(api: Api) -> None:
    alice = await join(api, "alice")
    photos = [image(url=f"https://cdn.example.com/{n}.jpg") for n in range(3)]
    photos.append(image(url=CLOUD_FILE_ID, mime="image/png", name="beach.png"))
    item = await alice.post(type="IMAGE", text="the trip", media=photos)
    assert (item["type"], item["text"]) == ("IMAGE", "the trip")
    assert item["media"] == [as_media(photo) for photo in photos]


async def test_an_image_needs_no_caption(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.post(type="IMAGE", media=[image()])
    assert (item["text"], item["media"]) == (None, [as_media(image())])


async def test_a_member_posts_a_video_with_its_duration(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.post(type="VIDEO", media=[video()])
    assert item["type"] == "VIDEO"
    assert item["media"] == [as_media(video())]


async def test_a_member_shares_a_file_by_name(api: Api) -> None:
    alice = await join(api, "alice")
    document = {
        "url": "https://cdn.example.com/minutes.pdf",
        "mime": "application/pdf",
        "size": 48_000,
        "name": "minutes.pdf",
    }
    item = await alice.post(type="FILE", text="minutes of the meeting", media=[document])
    assert (item["type"], item["media"]) == ("FILE", [as_media(document)])


async def test_a_member_shares_a_link_with_a_title(api: Api) -> None:
    alice = await join(api, "alice")
    link = {"url": "https://example.com/article?id=7", "title": "An article"}
    item = await alice.post(type="LINK", link=link, text="worth a read")
    assert (item["type"], item["link"], item["media"]) == ("LINK", link, [])
    untitled = await alice.post(type="LINK", link={"url": "https://example.com/"})
    assert untitled["link"] == {"url": "https://example.com/", "title": None}


async def test_a_new_poll_has_options_with_ids_and_no_votes(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.post(type="POLL", text="Lunch?", poll=poll("Noodles", "Dumplings", "Rice"))
    assert (item["type"], item["text"]) == ("POLL", "Lunch?")
    options = item["poll"]["options"]
    assert [option["text"] for option in options] == ["Noodles", "Dumplings", "Rice"]
    assert [option["voteCount"] for option in options] == [0, 0, 0]
    assert all(option["id"] for option in options)
    assert len({option["id"] for option in options}) == 3
    assert item["poll"]["viewerOptionIds"] == []
    assert item["poll"]["voterCount"] == 0
    assert (item["poll"]["isMultipleChoice"], item["poll"]["isAnonymous"]) == (False, False)
    assert (item["poll"]["closesAt"], item["poll"]["isClosed"]) == (None, False)


async def test_a_poll_can_be_multiple_choice_anonymous_and_close_later(
    api: Api, clock: Clock
) -> None:
    alice = await join(api, "alice")
    closes_at = (clock.now + timedelta(days=1)).isoformat()
    settings = {"multipleChoice": True, "anonymous": True, "closesAt": closes_at}
    item = await alice.post(type="POLL", text="Which days?", poll=poll("Sat", "Sun", **settings))
    assert (item["poll"]["isMultipleChoice"], item["poll"]["isAnonymous"]) == (True, True)
    assert item["poll"]["closesAt"] is not None
    assert item["poll"]["isClosed"] is False


async def test_a_member_asks_a_question(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.post(type="QUESTION", text="Who has the keys?")
    assert (item["type"], item["text"], item["media"], item["poll"]) == (
        "QUESTION",
        "Who has the keys?",
        [],
        None,
    )
