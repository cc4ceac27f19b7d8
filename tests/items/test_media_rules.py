"""The rules an item's media must follow: how many, where from, what kind, how large."""

from tests.actors import join
from tests.conftest import Api
from tests.items.documents import CLOUD_FILE_ID, image, video

GIB = 1024**3


async def test_an_image_item_takes_one_to_nine_media(api: Api) -> None:
    alice = await join(api, "alice")
    for count in [1, 9]:
        item = await alice.post(type="IMAGE", media=[image()] * count)
        assert len(item["media"]) == count
    for media in [None, [], [image()] * 10]:
        assert await alice.post_error(type="IMAGE", media=media) == "BAD_USER_INPUT", media


async def test_video_and_file_items_need_media_too(api: Api) -> None:
    alice = await join(api, "alice")
    for item_type in ["VIDEO", "FILE"]:
        code = await alice.post_error(type=item_type, text="no media")
        assert code == "BAD_USER_INPUT", item_type
        assert await alice.post_error(type=item_type, media=[video()] * 10) == "BAD_USER_INPUT"


async def test_media_urls_must_be_https_or_a_cloud_file_id(api: Api) -> None:
    alice = await join(api, "alice")
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
        assert await alice.post_error(type="IMAGE", media=[image(url=url)]) == "BAD_USER_INPUT", url


async def test_a_media_url_is_at_most_2048_characters(api: Api) -> None:
    alice = await join(api, "alice")
    prefix = "https://cdn.example.com/"
    longest = prefix + "a" * (2048 - len(prefix))
    item = await alice.post(type="IMAGE", media=[image(url=longest)])
    assert item["media"][0]["url"] == longest
    too_long = image(url=longest + "a")
    assert await alice.post_error(type="IMAGE", media=[too_long]) == "BAD_USER_INPUT"


async def test_media_mime_must_match_the_item_type(api: Api) -> None:
    alice = await join(api, "alice")
    refused = [
        ("IMAGE", image(mime="video/mp4")),
        ("IMAGE", image(mime="application/pdf")),
        ("IMAGE", image(mime="image")),
        ("VIDEO", video(mime="image/jpeg")),
    ]
    for item_type, media in refused:
        code = await alice.post_error(type=item_type, media=[media])
        assert code == "BAD_USER_INPUT", (item_type, media["mime"])
    mixed = [image(), image(mime="video/mp4")]
    assert await alice.post_error(type="IMAGE", media=mixed) == "BAD_USER_INPUT"


async def test_media_size_is_one_byte_to_one_gibibyte(api: Api) -> None:
    alice = await join(api, "alice")
    for size in [1, GIB]:
        item = await alice.post(type="VIDEO", media=[video(size=size)])
        assert item["media"][0]["size"] == size
    for size in [0, -1, GIB + 1]:
        code = await alice.post_error(type="VIDEO", media=[video(size=size)])
        assert code == "BAD_USER_INPUT", size


async def test_media_dimensions_are_one_to_20000_pixels(api: Api) -> None:
    alice = await join(api, "alice")
    item = await alice.post(type="IMAGE", media=[image(width=20000, height=1)])
    assert (item["media"][0]["width"], item["media"][0]["height"]) == (20000, 1)
    for dimensions in [{"width": 20001}, {"height": 20001}, {"width": 0}, {"height": 0}]:
        media = [image(**dimensions)]
        assert await alice.post_error(type="IMAGE", media=media) == "BAD_USER_INPUT", dimensions


async def test_a_video_duration_must_be_positive(api: Api) -> None:
    alice = await join(api, "alice")
    for duration in [0, -1.5]:
        media = [video(duration=duration)]
        assert await alice.post_error(type="VIDEO", media=media) == "BAD_USER_INPUT", duration


async def test_a_file_name_is_at_most_255_characters(api: Api) -> None:
    alice = await join(api, "alice")
    longest = "n" * 251 + ".pdf"
    document = {"url": "https://cdn.example.com/f", "mime": "application/pdf", "size": 10}
    item = await alice.post(type="FILE", media=[{**document, "name": longest}])
    assert item["media"][0]["name"] == longest
    too_long = {**document, "name": "n" + longest}
    assert await alice.post_error(type="FILE", media=[too_long]) == "BAD_USER_INPUT"
