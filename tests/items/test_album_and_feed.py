"""The album of a group's images and videos, and the feed's filters by type and seq."""

from tests.actors import join
from tests.conftest import Api
from tests.items.documents import FEED, ids, image


async def test_the_album_shows_image_and_video_media_newest_first(api: Api) -> None:
    alice = await join(api, "alice")
    trip = await alice.post(
        type="IMAGE", media=[image(f"https://cdn.example.com/trip{n}.jpg") for n in range(3)]
    )
    await alice.say("lovely")
    await alice.post(
        type="FILE",
        media=[{"url": "https://cdn.example.com/f.pdf", "mime": "application/pdf", "size": 9}],
    )
    clip = await alice.post(
        type="VIDEO",
        media=[{"url": "https://cdn.example.com/clip.mp4", "mime": "video/mp4", "size": 99}],
    )
    edges = (await alice.album())["edges"]
    assert [(edge["node"]["item"]["id"], edge["node"]["index"]) for edge in edges] == [
        (clip["id"], 0),
        (trip["id"], 0),
        (trip["id"], 1),
        (trip["id"], 2),
    ]
    assert [edge["node"]["media"]["url"] for edge in edges] == [
        "https://cdn.example.com/clip.mp4",
        *(f"https://cdn.example.com/trip{n}.jpg" for n in range(3)),
    ]


async def test_the_album_pages_across_item_boundaries(api: Api) -> None:
    alice = await join(api, "alice")
    older = await alice.post(
        type="IMAGE", media=[image(f"https://cdn.example.com/old{n}.jpg") for n in range(3)]
    )
    newer = await alice.post(
        type="IMAGE", media=[image(f"https://cdn.example.com/new{n}.jpg") for n in range(2)]
    )
    pages: list[list[tuple[str, int]]] = []
    after = None
    while True:
        album = await alice.album(first=3, after=after)
        pages.append(
            [(edge["node"]["item"]["id"], edge["node"]["index"]) for edge in album["edges"]]
        )
        if not album["pageInfo"]["hasNextPage"]:
            break
        after = album["pageInfo"]["endCursor"]
    assert pages == [
        [(newer["id"], 0), (newer["id"], 1), (older["id"], 0)],
        [(older["id"], 1), (older["id"], 2)],
    ]


async def test_a_deleted_items_media_leaves_the_album(api: Api) -> None:
    alice = await join(api, "alice")
    kept = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/kept.jpg")])
    recalled = await alice.post(
        type="IMAGE", media=[image(f"https://cdn.example.com/gone{n}.jpg") for n in range(2)]
    )
    await alice.delete(recalled)
    edges = (await alice.album())["edges"]
    assert [edge["node"]["item"]["id"] for edge in edges] == [kept["id"]]


async def test_the_feed_filters_by_type(api: Api) -> None:
    alice = await join(api, "alice")
    await alice.say("one")
    photo = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/a.jpg")])
    await alice.post(type="QUESTION", text="?")
    clip = await alice.post(
        type="VIDEO",
        media=[{"url": "https://cdn.example.com/clip.mp4", "mime": "video/mp4", "size": 99}],
    )
    assert ids(await alice.feed(types=["IMAGE"])) == [photo["id"]]
    assert ids(await alice.feed(types=["IMAGE", "VIDEO"])) == [clip["id"], photo["id"]]
    assert await alice.feed(types=["POLL"]) == []


async def test_the_feed_starts_below_a_seq(api: Api) -> None:
    alice = await join(api, "alice")
    for n in range(1, 6):
        await alice.say(f"m{n}")
    data = await alice.data(FEED, id=alice.group_id, beforeSeq=3)
    assert data["group"]["lastSeq"] == 5
    assert [edge["node"]["seq"] for edge in data["group"]["items"]["edges"]] == [2, 1]


async def test_tombstones_count_in_last_seq_and_stay_in_filtered_feeds(api: Api) -> None:
    alice = await join(api, "alice")
    photo = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/a.jpg")])
    await alice.say("after")
    await alice.delete(photo)
    data = await alice.data(FEED, id=alice.group_id, types=["IMAGE"])
    assert data["group"]["lastSeq"] == 2
    nodes = [edge["node"] for edge in data["group"]["items"]["edges"]]
    assert [(node["id"], node["isDeleted"]) for node in nodes] == [(photo["id"], True)]
