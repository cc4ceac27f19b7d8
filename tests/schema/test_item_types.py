"""Posting each item type, and the rules each type's input must follow."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.conftest import Api, Clock, api_on_test_store

ITEM = """
fragment Item on GroupItem {
  id groupId seq type text
  media { url mime size width height duration name }
  link { url title }
  poll {
    options { id text voteCount }
    isMultipleChoice isAnonymous closesAt isClosed voterCount viewerOptionIds
  }
  replyTo { id }
  replyCount isDeleted isPinned editedAt deletedAt
}
"""
POST = "mutation($input: PostItemInput!) { postItem(input: $input) { ...Item } }" + ITEM

MEDIA_FIELDS = ("url", "mime", "size", "width", "height", "duration", "name")
UNKNOWN_ID = "0123456789abcdef01234567"
GIB = 1024**3
CLOUD_FILE_ID = "cloud://prod-4g1a.7072-prod-4g1a-1300000000/groups/photo.jpg"


def image(**overrides: Any) -> dict[str, Any]:
    media = {"url": "https://cdn.example.com/photo.jpg", "mime": "image/jpeg", "size": 2048}
    return {**media, "width": 1080, "height": 720, **overrides}


def video(**overrides: Any) -> dict[str, Any]:
    media = {"url": "https://cdn.example.com/clip.mp4", "mime": "video/mp4", "size": 5_000_000}
    return {**media, "width": 1280, "height": 720, "duration": 12.5, **overrides}


def poll(*options: str, **overrides: Any) -> dict[str, Any]:
    return {"options": list(options or ("Yes", "No")), **overrides}


def as_media(media: dict[str, Any]) -> dict[str, Any]:
    """What a client reads back for a MediaInput: every field, null where none was given."""
    return {name: media.get(name) for name in MEDIA_FIELDS}


@dataclass
class Author:
    """A member of one group, posting items to it."""

    api: Api
    token: str
    group_id: str

    def _variables(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"input": {"groupId": self.group_id, **item}}

    async def post(self, **item: Any) -> dict[str, Any]:
        data = await self.api.data(POST, self._variables(item), token=self.token)
        posted: dict[str, Any] = data["postItem"]
        return posted

    async def refusal(self, **item: Any) -> str:
        return await self.api.error_code(POST, self._variables(item), token=self.token)


async def member_of(api: Api, code: str = "alice", open_gid: str = "G1") -> Author:
    joined = await api.join(code, open_gid)
    return Author(api, await api.login_as(code), joined["group"]["id"])


async def test_a_text_item_has_no_media_link_poll_or_parent(api: Api) -> None:
    alice = await member_of(api)
    item = await alice.post(type="TEXT", text="hello")
    assert item["groupId"] == alice.group_id
    assert (item["seq"], item["type"], item["text"]) == (1, "TEXT", "hello")
    assert (item["media"], item["link"], item["poll"], item["replyTo"]) == ([], None, None, None)
    assert (item["replyCount"], item["isDeleted"], item["isPinned"]) == (0, False, False)
    assert (item["editedAt"], item["deletedAt"]) == (None, None)


async def test_a_member_posts_an_album_of_images_with_a_caption(api: Api) -> None:
    alice = await member_of(api)
    photos = [image(url=f"https://cdn.example.com/{n}.jpg") for n in range(3)]
    photos.append(image(url=CLOUD_FILE_ID, mime="image/png", name="beach.png"))
    item = await alice.post(type="IMAGE", text="the trip", media=photos)
    assert (item["type"], item["text"]) == ("IMAGE", "the trip")
    assert item["media"] == [as_media(photo) for photo in photos]


async def test_an_image_needs_no_caption(api: Api) -> None:
    alice = await member_of(api)
    item = await alice.post(type="IMAGE", media=[image()])
    assert (item["text"], item["media"]) == (None, [as_media(image())])


async def test_a_member_posts_a_video_with_its_duration(api: Api) -> None:
    alice = await member_of(api)
    item = await alice.post(type="VIDEO", media=[video()])
    assert item["type"] == "VIDEO"
    assert item["media"] == [as_media(video())]


async def test_a_member_shares_a_file_by_name(api: Api) -> None:
    alice = await member_of(api)
    document = {
        "url": "https://cdn.example.com/minutes.pdf",
        "mime": "application/pdf",
        "size": 48_000,
        "name": "minutes.pdf",
    }
    item = await alice.post(type="FILE", text="minutes of the meeting", media=[document])
    assert (item["type"], item["media"]) == ("FILE", [as_media(document)])


async def test_a_member_shares_a_link_with_a_title(api: Api) -> None:
    alice = await member_of(api)
    link = {"url": "https://example.com/article?id=7", "title": "An article"}
    item = await alice.post(type="LINK", link=link, text="worth a read")
    assert (item["type"], item["link"], item["media"]) == ("LINK", link, [])
    untitled = await alice.post(type="LINK", link={"url": "https://example.com/"})
    assert untitled["link"] == {"url": "https://example.com/", "title": None}


async def test_a_new_poll_has_options_with_ids_and_no_votes(api: Api) -> None:
    alice = await member_of(api)
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
    alice = await member_of(api)
    closes_at = (clock.now + timedelta(days=1)).isoformat()
    settings = {"multipleChoice": True, "anonymous": True, "closesAt": closes_at}
    item = await alice.post(type="POLL", text="Which days?", poll=poll("Sat", "Sun", **settings))
    assert (item["poll"]["isMultipleChoice"], item["poll"]["isAnonymous"]) == (True, True)
    assert item["poll"]["closesAt"] is not None
    assert item["poll"]["isClosed"] is False


async def test_a_member_asks_a_question(api: Api) -> None:
    alice = await member_of(api)
    item = await alice.post(type="QUESTION", text="Who has the keys?")
    assert (item["type"], item["text"], item["media"], item["poll"]) == (
        "QUESTION",
        "Who has the keys?",
        [],
        None,
    )


async def test_an_image_item_takes_one_to_nine_media(api: Api) -> None:
    alice = await member_of(api)
    for count in [1, 9]:
        item = await alice.post(type="IMAGE", media=[image()] * count)
        assert len(item["media"]) == count
    for media in [None, [], [image()] * 10]:
        assert await alice.refusal(type="IMAGE", media=media) == "BAD_USER_INPUT", media


async def test_video_and_file_items_need_media_too(api: Api) -> None:
    alice = await member_of(api)
    for item_type in ["VIDEO", "FILE"]:
        assert await alice.refusal(type=item_type, text="no media") == "BAD_USER_INPUT", item_type
        assert await alice.refusal(type=item_type, media=[video()] * 10) == "BAD_USER_INPUT"


async def test_media_urls_must_be_https_or_a_cloud_file_id(api: Api) -> None:
    alice = await member_of(api)
    for url in ["https://cdn.example.com/a.jpg", CLOUD_FILE_ID]:
        item = await alice.post(type="IMAGE", media=[image(url=url)])
        assert item["media"][0]["url"] == url
    refused = [
        "http://cdn.example.com/a.jpg",
        "ftp://cdn.example.com/a.jpg",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "",
    ]
    for url in refused:
        assert await alice.refusal(type="IMAGE", media=[image(url=url)]) == "BAD_USER_INPUT", url


async def test_a_media_url_is_at_most_2048_characters(api: Api) -> None:
    alice = await member_of(api)
    prefix = "https://cdn.example.com/"
    longest = prefix + "a" * (2048 - len(prefix))
    item = await alice.post(type="IMAGE", media=[image(url=longest)])
    assert item["media"][0]["url"] == longest
    too_long = image(url=longest + "a")
    assert await alice.refusal(type="IMAGE", media=[too_long]) == "BAD_USER_INPUT"


async def test_media_mime_must_match_the_item_type(api: Api) -> None:
    alice = await member_of(api)
    refused = [
        ("IMAGE", image(mime="video/mp4")),
        ("IMAGE", image(mime="application/pdf")),
        ("IMAGE", image(mime="image")),
        ("VIDEO", video(mime="image/jpeg")),
    ]
    for item_type, media in refused:
        code = await alice.refusal(type=item_type, media=[media])
        assert code == "BAD_USER_INPUT", (item_type, media["mime"])
    mixed = [image(), image(mime="video/mp4")]
    assert await alice.refusal(type="IMAGE", media=mixed) == "BAD_USER_INPUT"


async def test_media_size_is_one_byte_to_one_gibibyte(api: Api) -> None:
    alice = await member_of(api)
    for size in [1, GIB]:
        item = await alice.post(type="VIDEO", media=[video(size=size)])
        assert item["media"][0]["size"] == size
    for size in [0, -1, GIB + 1]:
        assert await alice.refusal(type="VIDEO", media=[video(size=size)]) == "BAD_USER_INPUT", size


async def test_media_dimensions_are_one_to_20000_pixels(api: Api) -> None:
    alice = await member_of(api)
    item = await alice.post(type="IMAGE", media=[image(width=20000, height=1)])
    assert (item["media"][0]["width"], item["media"][0]["height"]) == (20000, 1)
    for dimensions in [{"width": 20001}, {"height": 20001}, {"width": 0}, {"height": 0}]:
        media = [image(**dimensions)]
        assert await alice.refusal(type="IMAGE", media=media) == "BAD_USER_INPUT", dimensions


async def test_a_video_duration_must_be_positive(api: Api) -> None:
    alice = await member_of(api)
    for duration in [0, -1.5]:
        media = [video(duration=duration)]
        assert await alice.refusal(type="VIDEO", media=media) == "BAD_USER_INPUT", duration


async def test_a_file_name_is_at_most_255_characters(api: Api) -> None:
    alice = await member_of(api)
    longest = "n" * 251 + ".pdf"
    document = {"url": "https://cdn.example.com/f", "mime": "application/pdf", "size": 10}
    item = await alice.post(type="FILE", media=[{**document, "name": longest}])
    assert item["media"][0]["name"] == longest
    too_long = {**document, "name": "n" + longest}
    assert await alice.refusal(type="FILE", media=[too_long]) == "BAD_USER_INPUT"


async def test_a_link_item_needs_an_https_link(api: Api) -> None:
    alice = await member_of(api)
    assert await alice.refusal(type="LINK", text="no link") == "BAD_USER_INPUT"
    for url in ["http://example.com/", CLOUD_FILE_ID, "javascript:alert(1)", "example.com"]:
        link = {"url": url}
        assert await alice.refusal(type="LINK", link=link) == "BAD_USER_INPUT", url


async def test_fields_that_belong_to_another_type_are_refused(api: Api) -> None:
    alice = await member_of(api)
    link = {"url": "https://example.com/"}
    refused: list[dict[str, Any]] = [
        {"type": "TEXT", "text": "hi", "poll": poll()},
        {"type": "TEXT", "text": "hi", "media": [image()]},
        {"type": "TEXT", "text": "hi", "link": link},
        {"type": "IMAGE", "media": [image()], "link": link},
        {"type": "IMAGE", "media": [image()], "poll": poll()},
        {"type": "LINK", "link": link, "media": [image()]},
        {"type": "POLL", "text": "?", "poll": poll(), "media": [image()]},
        {"type": "QUESTION", "text": "?", "poll": poll()},
    ]
    for item in refused:
        assert await alice.refusal(**item) == "BAD_USER_INPUT", item


async def test_a_poll_has_two_to_twenty_options(api: Api) -> None:
    alice = await member_of(api)
    for count in [2, 20]:
        options = [f"option {n}" for n in range(count)]
        item = await alice.post(type="POLL", text="?", poll=poll(*options))
        assert len(item["poll"]["options"]) == count
    for count in [1, 21]:
        options = [f"option {n}" for n in range(count)]
        code = await alice.refusal(type="POLL", text="?", poll=poll(*options))
        assert code == "BAD_USER_INPUT", count
    assert await alice.refusal(type="POLL", text="?", poll={"options": []}) == "BAD_USER_INPUT"


async def test_a_poll_option_is_one_to_100_characters(api: Api) -> None:
    alice = await member_of(api)
    item = await alice.post(type="POLL", text="?", poll=poll("x" * 100, "y"))
    assert item["poll"]["options"][0]["text"] == "x" * 100
    for option in ["x" * 101, ""]:
        code = await alice.refusal(type="POLL", text="?", poll=poll(option, "y"))
        assert code == "BAD_USER_INPUT", len(option)


async def test_a_poll_cannot_repeat_an_option(api: Api) -> None:
    alice = await member_of(api)
    code = await alice.refusal(type="POLL", text="?", poll=poll("Yes", "No", "Yes"))
    assert code == "BAD_USER_INPUT"


async def test_a_poll_cannot_close_in_the_past(api: Api, clock: Clock) -> None:
    alice = await member_of(api)
    for closed_ago in [timedelta(minutes=1), timedelta(days=30)]:
        closes_at = (clock.now - closed_ago).isoformat()
        code = await alice.refusal(type="POLL", text="?", poll=poll(closesAt=closes_at))
        assert code == "BAD_USER_INPUT", closed_ago


async def test_a_poll_needs_its_question_and_its_options(api: Api) -> None:
    alice = await member_of(api)
    assert await alice.refusal(type="POLL", poll=poll()) == "BAD_USER_INPUT"
    assert await alice.refusal(type="POLL", text="", poll=poll()) == "BAD_USER_INPUT"
    assert await alice.refusal(type="POLL", text="Lunch?") == "BAD_USER_INPUT"


async def test_text_and_question_items_need_text(api: Api) -> None:
    alice = await member_of(api)
    for item_type in ["TEXT", "QUESTION"]:
        for text in [None, ""]:
            code = await alice.refusal(type=item_type, text=text)
            assert code == "BAD_USER_INPUT", (item_type, text)


async def test_a_reply_to_an_item_of_another_group_looks_like_a_reply_to_no_item(
    api: Api,
) -> None:
    alice = await member_of(api, "alice", "G1")
    elsewhere = await member_of(api, "alice", "G2")
    other_item = await elsewhere.post(type="TEXT", text="in G2")
    other_group_code = await alice.refusal(type="TEXT", text="re", replyTo=other_item["id"])
    unknown_code = await alice.refusal(type="TEXT", text="re", replyTo=UNKNOWN_ID)
    malformed_code = await alice.refusal(type="TEXT", text="re", replyTo="not-an-id")
    assert other_group_code in ("NOT_FOUND", "BAD_USER_INPUT")
    assert unknown_code in ("NOT_FOUND", "BAD_USER_INPUT")
    assert malformed_code in ("NOT_FOUND", "BAD_USER_INPUT")
    assert other_group_code == unknown_code, "a refusal must not tell that the item exists"


async def test_media_and_poll_limits_follow_the_settings(clock: Clock) -> None:
    async with api_on_test_store(clock, max_media_per_item=2, max_poll_options=3) as api:
        alice = await member_of(api)
        assert len((await alice.post(type="IMAGE", media=[image()] * 2))["media"]) == 2
        assert await alice.refusal(type="IMAGE", media=[image()] * 3) == "BAD_USER_INPUT"
        three = poll("a", "b", "c")
        assert len((await alice.post(type="POLL", text="?", poll=three))["poll"]["options"]) == 3
        four = poll("a", "b", "c", "d")
        assert await alice.refusal(type="POLL", text="?", poll=four) == "BAD_USER_INPUT"
