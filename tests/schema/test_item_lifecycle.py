"""What happens to posted items: edits, recalls, replies, pins, the album and feed filters."""

import asyncio
from dataclasses import dataclass
from typing import Any

from tests.conftest import Api, Clock

ITEM = """
fragment Item on GroupItem {
  id seq type text
  media { url }
  link { url }
  poll { options { id } }
  replyTo { id }
  replyCount isDeleted isPinned editedAt deletedAt
}
"""
POST = "mutation($input: PostItemInput!) { postItem(input: $input) { ...Item } }" + ITEM
EDIT = (
    "mutation($itemId: ID!, $text: String!) { editItem(itemId: $itemId, text: $text) { ...Item } }"
    + ITEM
)
DELETE = "mutation($itemId: ID!) { deleteItem(itemId: $itemId) { ...Item } }" + ITEM
PIN = """
mutation($itemId: ID!, $pinned: Boolean! = true) {
  pinItem(itemId: $itemId, pinned: $pinned) { id pinnedItems { id isPinned } }
}
"""
PINNED = "query($id: ID!) { group(id: $id) { pinnedItems { id isPinned } } }"
LET_MEMBERS_PIN = """
mutation($groupId: ID!) {
  updateGroup(input: {groupId: $groupId, membersCanPin: true}) { id membersCanPin }
}
"""
MAKE_ADMIN = """
mutation($groupId: ID!, $userId: ID!) {
  setMemberRole(groupId: $groupId, userId: $userId, role: ADMIN) { role }
}
"""
FEED = (
    """
query($id: ID!, $first: Int, $after: String, $types: [ItemType!], $beforeSeq: Int) {
  group(id: $id) {
    lastSeq
    items(first: $first, after: $after, types: $types, beforeSeq: $beforeSeq) {
      edges { cursor node { ...Item } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + ITEM
)
REPLIES = """
query($id: ID!, $first: Int, $after: String) {
  group(id: $id) {
    items(types: [QUESTION]) {
      edges {
        node {
          replies(first: $first, after: $after) {
            edges { cursor node { id text replyTo { id } } }
            pageInfo { hasNextPage endCursor }
          }
        }
      }
    }
  }
}
"""
ALBUM = """
query($id: ID!, $first: Int, $after: String) {
  group(id: $id) {
    album(first: $first, after: $after) {
      edges { cursor node { item { id } media { url } index } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

MAX_PINS = 10


def image(url: str) -> dict[str, Any]:
    return {"url": url, "mime": "image/jpeg", "size": 2048, "width": 640, "height": 480}


@dataclass
class Member:
    """A logged-in member of one group. The first to join a chat's group is its owner."""

    api: Api
    token: str
    group_id: str

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        return await self.api.data(query, variables, token=self.token)

    async def refusal(self, query: str, **variables: Any) -> str:
        return await self.api.error_code(query, variables, token=self.token)

    async def post(self, **item: Any) -> dict[str, Any]:
        data = await self.data(POST, input={"groupId": self.group_id, **item})
        posted: dict[str, Any] = data["postItem"]
        return posted

    async def say(self, text: str, **item: Any) -> dict[str, Any]:
        return await self.post(type="TEXT", text=text, **item)

    async def delete(self, item: dict[str, Any]) -> dict[str, Any]:
        deleted: dict[str, Any] = (await self.data(DELETE, itemId=item["id"]))["deleteItem"]
        return deleted

    async def pin(self, item: dict[str, Any], pinned: bool = True) -> list[str]:
        group = (await self.data(PIN, itemId=item["id"], pinned=pinned))["pinItem"]
        return [pinned_item["id"] for pinned_item in group["pinnedItems"]]

    async def pinned_ids(self) -> list[str]:
        group = (await self.data(PINNED, id=self.group_id))["group"]
        return [item["id"] for item in group["pinnedItems"]]

    async def feed(self, **arguments: Any) -> list[dict[str, Any]]:
        group = (await self.data(FEED, id=self.group_id, first=100, **arguments))["group"]
        return [edge["node"] for edge in group["items"]["edges"]]

    async def album(self, first: int | None = None, after: str | None = None) -> dict[str, Any]:
        album: dict[str, Any] = (
            await self.data(ALBUM, id=self.group_id, first=first, after=after)
        )["group"]["album"]
        return album


async def member_of(api: Api, code: str, open_gid: str = "G1") -> Member:
    joined = await api.join(code, open_gid)
    return Member(api, await api.login_as(code), joined["group"]["id"])


async def owner_and_member(api: Api) -> tuple[Member, Member]:
    return await member_of(api, "olivia"), await member_of(api, "bob")


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


# Editing


async def test_the_author_edits_the_text_and_the_item_shows_when(api: Api) -> None:
    alice = await member_of(api, "alice")
    item = await alice.say("helo")
    assert item["editedAt"] is None
    edited = (await alice.data(EDIT, itemId=item["id"], text="hello"))["editItem"]
    assert (edited["id"], edited["seq"], edited["text"]) == (item["id"], item["seq"], "hello")
    assert edited["editedAt"] is not None
    assert (await alice.feed())[0]["text"] == "hello"


async def test_link_and_question_items_can_be_edited(api: Api) -> None:
    alice = await member_of(api, "alice")
    link = await alice.post(type="LINK", link={"url": "https://example.com/"}, text="see")
    question = await alice.post(type="QUESTION", text="who?")
    for item in [link, question]:
        edited = (await alice.data(EDIT, itemId=item["id"], text="changed"))["editItem"]
        assert (edited["text"], edited["type"]) == ("changed", item["type"])


async def test_images_and_polls_cannot_be_edited(api: Api) -> None:
    alice = await member_of(api, "alice")
    photo = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/a.jpg")])
    poll = await alice.post(type="POLL", text="Lunch?", poll={"options": ["Yes", "No"]})
    for item in [photo, poll]:
        code = await alice.refusal(EDIT, itemId=item["id"], text="caption")
        assert code == "BAD_USER_INPUT", item["type"]


async def test_nobody_edits_someone_elses_item_not_even_the_owner(api: Api) -> None:
    olivia, bob = await owner_and_member(api)
    bobs = await bob.say("mine")
    olivias = await olivia.say("the owner's")
    assert await olivia.refusal(EDIT, itemId=bobs["id"], text="owned") == "FORBIDDEN"
    assert await bob.refusal(EDIT, itemId=olivias["id"], text="hacked") == "FORBIDDEN"
    assert [item["text"] for item in await bob.feed()] == ["the owner's", "mine"]


async def test_a_deleted_item_cannot_be_edited(api: Api) -> None:
    alice = await member_of(api, "alice")
    item = await alice.say("oops")
    await alice.delete(item)
    code = await alice.refusal(EDIT, itemId=item["id"], text="back again")
    assert code in ("BAD_USER_INPUT", "CONFLICT")
    assert (await alice.feed())[0]["text"] is None


# Deleting


async def test_the_author_recalls_an_item_leaving_a_tombstone_in_the_feed(api: Api) -> None:
    alice = await member_of(api, "alice")
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
    alice = await member_of(api, "alice")
    link = await alice.post(type="LINK", link={"url": "https://example.com/"})
    poll = await alice.post(type="POLL", text="Lunch?", poll={"options": ["Yes", "No"]})
    for item in [link, poll]:
        tombstone = await alice.delete(item)
        assert (tombstone["link"], tombstone["poll"], tombstone["text"]) == (None, None, None)


async def test_the_author_recalls_within_the_window_but_not_after_it(
    api: Api, clock: Clock
) -> None:
    _, bob = await owner_and_member(api)
    early, late = await bob.say("early"), await bob.say("late")
    clock.advance(seconds=119)
    assert (await bob.delete(early))["isDeleted"] is True
    clock.advance(seconds=2)
    assert await bob.refusal(DELETE, itemId=late["id"]) == "FORBIDDEN"
    assert (await bob.feed())[0]["isDeleted"] is False


async def test_the_owner_deletes_a_members_item_after_the_recall_window(
    api: Api, clock: Clock
) -> None:
    olivia, bob = await owner_and_member(api)
    item = await bob.say("regrettable")
    clock.advance(seconds=121)
    assert await bob.refusal(DELETE, itemId=item["id"]) == "FORBIDDEN"
    tombstone = await olivia.delete(item)
    assert (tombstone["isDeleted"], tombstone["text"]) == (True, None)


async def test_a_member_cannot_delete_someone_elses_item(api: Api) -> None:
    olivia, bob = await owner_and_member(api)
    item = await olivia.say("the rules")
    assert await bob.refusal(DELETE, itemId=item["id"]) == "FORBIDDEN"
    assert (await bob.feed())[0]["isDeleted"] is False


async def test_an_admin_deletes_anyones_item_at_any_time(api: Api, clock: Clock) -> None:
    olivia, bob = await owner_and_member(api)
    carol = await member_of(api, "carol")
    carol_id = (await carol.data("{ viewer { id } }"))["viewer"]["id"]
    await olivia.data(MAKE_ADMIN, groupId=olivia.group_id, userId=carol_id)
    items = [await bob.say("bob's"), await olivia.say("the owner's")]
    clock.advance(hours=1)
    for item in items:
        assert (await carol.delete(item))["isDeleted"] is True


async def test_the_author_edits_long_after_the_recall_window(api: Api, clock: Clock) -> None:
    _, bob = await owner_and_member(api)
    item = await bob.say("typo")
    clock.advance(days=1)
    assert (await bob.data(EDIT, itemId=item["id"], text="fixed"))["editItem"]["text"] == "fixed"


async def test_deleting_twice_returns_the_same_tombstone(api: Api, clock: Clock) -> None:
    alice = await member_of(api, "alice")
    item = await alice.say("twice")
    first = await alice.delete(item)
    clock.advance(seconds=5)
    second = await alice.delete(item)
    assert second == first


# Replies


async def test_a_reply_points_to_its_parent_and_the_parent_counts_live_replies(
    api: Api,
) -> None:
    olivia, bob = await owner_and_member(api)
    question = await olivia.post(type="QUESTION", text="Who brings drinks?")
    answers = [await bob.say(f"answer {n}", replyTo=question["id"]) for n in range(3)]
    assert [answer["replyTo"] for answer in answers] == [{"id": question["id"]}] * 3
    assert (await bob.feed(types=["QUESTION"]))[0]["replyCount"] == 3
    await bob.delete(answers[1])
    assert (await bob.feed(types=["QUESTION"]))[0]["replyCount"] == 2


async def test_any_item_can_be_replied_to_but_not_a_deleted_one(api: Api) -> None:
    alice = await member_of(api, "alice")
    photo = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/a.jpg")])
    reply = await alice.say("nice", replyTo=photo["id"])
    assert reply["replyTo"] == {"id": photo["id"]}
    await alice.delete(photo)
    code = await alice.refusal(
        POST, input={"groupId": alice.group_id, "text": "late", "replyTo": photo["id"]}
    )
    assert code == "BAD_USER_INPUT"


async def test_replies_page_oldest_first(api: Api) -> None:
    olivia, bob = await owner_and_member(api)
    question = await olivia.post(type="QUESTION", text="Ideas?")
    for n in range(5):
        await (bob, olivia)[n % 2].say(f"idea {n}", replyTo=question["id"])
    await olivia.say("not a reply")
    seen: list[str] = []
    after = None
    while True:
        data = await bob.data(REPLIES, id=bob.group_id, first=2, after=after)
        replies = data["group"]["items"]["edges"][0]["node"]["replies"]
        assert len(replies["edges"]) <= 2
        seen += [edge["node"]["text"] for edge in replies["edges"]]
        assert all(edge["node"]["replyTo"] == {"id": question["id"]} for edge in replies["edges"])
        if not replies["pageInfo"]["hasNextPage"]:
            break
        after = replies["pageInfo"]["endCursor"]
    assert seen == [f"idea {n}" for n in range(5)]


# Pins


async def test_an_admin_pins_items_and_the_group_lists_them_in_pin_order(api: Api) -> None:
    olivia, bob = await owner_and_member(api)
    items = [await bob.say(f"m{n}") for n in range(3)]
    assert await olivia.pin(items[2]) == [items[2]["id"]]
    await olivia.pin(items[0])
    assert await olivia.pin(items[1]) == ids([items[2], items[0], items[1]])
    group = (await bob.data(PINNED, id=bob.group_id))["group"]
    pinned_in_order = [items[2], items[0], items[1]]
    assert group["pinnedItems"] == [
        {"id": item["id"], "isPinned": True} for item in pinned_in_order
    ]
    assert [item["isPinned"] for item in await bob.feed()] == [True, True, True]


async def test_pinning_twice_or_unpinning_an_unpinned_item_changes_nothing(api: Api) -> None:
    olivia = await member_of(api, "olivia")
    first, second, never = [await olivia.say(text) for text in ("a", "b", "never pinned")]
    await olivia.pin(first)
    await olivia.pin(second)
    assert await olivia.pin(first) == ids([first, second])
    assert await olivia.pin(never, pinned=False) == ids([first, second])


async def test_an_admin_unpins_an_item(api: Api) -> None:
    olivia = await member_of(api, "olivia")
    first, second = await olivia.say("a"), await olivia.say("b")
    await olivia.pin(first)
    await olivia.pin(second)
    assert await olivia.pin(first, pinned=False) == [second["id"]]
    assert [item["isPinned"] for item in await olivia.feed()] == [True, False]


async def test_members_pin_only_when_the_owner_lets_them(api: Api) -> None:
    olivia, bob = await owner_and_member(api)
    item = await bob.say("pin me")
    assert await bob.refusal(PIN, itemId=item["id"]) == "FORBIDDEN"
    assert await olivia.pinned_ids() == []
    changed = (await olivia.data(LET_MEMBERS_PIN, groupId=olivia.group_id))["updateGroup"]
    assert changed["membersCanPin"] is True
    assert await bob.pin(item) == [item["id"]]


async def test_the_eleventh_pin_is_a_conflict(api: Api) -> None:
    olivia = await member_of(api, "olivia")
    items = [await olivia.say(f"m{n}") for n in range(MAX_PINS + 1)]
    for item in items[:MAX_PINS]:
        await olivia.pin(item)
    assert await olivia.refusal(PIN, itemId=items[MAX_PINS]["id"]) == "CONFLICT"
    assert await olivia.pinned_ids() == ids(items[:MAX_PINS])
    await olivia.pin(items[0], pinned=False)
    assert (await olivia.pin(items[MAX_PINS]))[-1] == items[MAX_PINS]["id"]


async def test_concurrent_pins_never_exceed_the_limit(api: Api) -> None:
    olivia = await member_of(api, "olivia")
    items = [await olivia.say(f"m{n}") for n in range(15)]
    bodies = await asyncio.gather(
        *(api.post(PIN, {"itemId": item["id"]}, token=olivia.token) for item in items)
    )
    codes = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert codes == ["CONFLICT"] * 5
    pinned = await olivia.pinned_ids()
    assert len(pinned) == MAX_PINS
    succeeded = [
        item["id"] for item, body in zip(items, bodies, strict=True) if not body.get("errors")
    ]
    assert sorted(pinned) == sorted(succeeded)


async def test_deleting_a_pinned_item_unpins_it(api: Api) -> None:
    olivia = await member_of(api, "olivia")
    kept, recalled = await olivia.say("kept"), await olivia.say("recalled")
    await olivia.pin(recalled)
    await olivia.pin(kept)
    tombstone = await olivia.delete(recalled)
    assert tombstone["isPinned"] is False
    assert await olivia.pinned_ids() == [kept["id"]]


async def test_a_pin_racing_a_delete_never_leaves_a_pinned_tombstone(api: Api) -> None:
    olivia = await member_of(api, "olivia")
    for n in range(10):
        item = await olivia.say(f"m{n}")
        await asyncio.gather(
            api.post(PIN, {"itemId": item["id"]}, token=olivia.token),
            api.post(DELETE, {"itemId": item["id"]}, token=olivia.token),
        )
    assert await olivia.pinned_ids() == []
    assert [item["isPinned"] for item in await olivia.feed()] == [False] * 10


# Album


async def test_the_album_shows_image_and_video_media_newest_first(api: Api) -> None:
    alice = await member_of(api, "alice")
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
    alice = await member_of(api, "alice")
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
    alice = await member_of(api, "alice")
    kept = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/kept.jpg")])
    recalled = await alice.post(
        type="IMAGE", media=[image(f"https://cdn.example.com/gone{n}.jpg") for n in range(2)]
    )
    await alice.delete(recalled)
    edges = (await alice.album())["edges"]
    assert [edge["node"]["item"]["id"] for edge in edges] == [kept["id"]]


# Feed filters


async def test_the_feed_filters_by_type(api: Api) -> None:
    alice = await member_of(api, "alice")
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
    alice = await member_of(api, "alice")
    for n in range(1, 6):
        await alice.say(f"m{n}")
    data = await alice.data(FEED, id=alice.group_id, beforeSeq=3)
    assert data["group"]["lastSeq"] == 5
    assert [edge["node"]["seq"] for edge in data["group"]["items"]["edges"]] == [2, 1]


async def test_tombstones_count_in_last_seq_and_stay_in_filtered_feeds(api: Api) -> None:
    alice = await member_of(api, "alice")
    photo = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/a.jpg")])
    await alice.say("after")
    await alice.delete(photo)
    data = await alice.data(FEED, id=alice.group_id, types=["IMAGE"])
    assert data["group"]["lastSeq"] == 2
    nodes = [edge["node"] for edge in data["group"]["items"]["edges"]]
    assert [(node["id"], node["isDeleted"]) for node in nodes] == [(photo["id"], True)]
