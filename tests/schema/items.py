"""Helpers of the item tests: a member who posts and reads items, and the inputs of each type."""

from typing import Any

from tests.conftest import Api
from tests.members import CHAT, Member

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
DELETE = "mutation($itemId: ID!) { deleteItem(itemId: $itemId) { ...Item } }" + ITEM
PIN = """
mutation($itemId: ID!, $pinned: Boolean! = true) {
  pinItem(itemId: $itemId, pinned: $pinned) { id pinnedItems { id isPinned } }
}
"""
PINNED = "query($id: ID!) { group(id: $id) { pinnedItems { id isPinned } } }"
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

MEDIA_FIELDS = ("url", "mime", "size", "width", "height", "duration", "name")
CLOUD_FILE_ID = "cloud://prod-4g1a.7072-prod-4g1a-1300000000/groups/photo.jpg"


def image(url: str = "https://cdn.example.com/photo.jpg", /, **overrides: Any) -> dict[str, Any]:
    """A JPEG's MediaInput; `image(url=...)` overrides the url like any other field."""
    media = {"url": url, "mime": "image/jpeg", "size": 2048}
    return {**media, "width": 1080, "height": 720, **overrides}


def video(**overrides: Any) -> dict[str, Any]:
    media = {"url": "https://cdn.example.com/clip.mp4", "mime": "video/mp4", "size": 5_000_000}
    return {**media, "width": 1280, "height": 720, "duration": 12.5, **overrides}


def poll(*options: str, **overrides: Any) -> dict[str, Any]:
    return {"options": list(options or ("Yes", "No")), **overrides}


def as_media(media: dict[str, Any]) -> dict[str, Any]:
    """What a client reads back for a MediaInput: every field, null where none was given."""
    return {name: media.get(name) for name in MEDIA_FIELDS}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


class Poster(Member):
    """A member posting items to their group, and reading them back."""

    async def post(self, **item: Any) -> dict[str, Any]:
        data = await self.data(POST, input={"groupId": self.group_id, **item})
        posted: dict[str, Any] = data["postItem"]
        return posted

    async def refusal(self, **item: Any) -> str:
        """The error code of posting `item`, which must be refused."""
        return await self.error_code(POST, input={"groupId": self.group_id, **item})

    async def say(self, text: str, **item: Any) -> dict[str, Any]:
        return await self.post(type="TEXT", text=text, **item)

    async def delete(self, item: dict[str, Any]) -> dict[str, Any]:
        deleted: dict[str, Any] = (await self.data(DELETE, itemId=item["id"]))["deleteItem"]
        return deleted

    async def pin(self, item: dict[str, Any], pinned: bool = True) -> list[str]:
        group = (await self.data(PIN, itemId=item["id"], pinned=pinned))["pinItem"]
        return ids(group["pinnedItems"])

    async def pinned_ids(self) -> list[str]:
        return ids((await self.data(PINNED, id=self.group_id))["group"]["pinnedItems"])

    async def feed(self, **arguments: Any) -> list[dict[str, Any]]:
        group = (await self.data(FEED, id=self.group_id, first=100, **arguments))["group"]
        return [edge["node"] for edge in group["items"]["edges"]]

    async def album(self, first: int | None = None, after: str | None = None) -> dict[str, Any]:
        album: dict[str, Any] = (
            await self.data(ALBUM, id=self.group_id, first=first, after=after)
        )["group"]["album"]
        return album


async def member_of(api: Api, code: str = "alice", open_gid: str = CHAT) -> Poster:
    """`code` joins the chat `open_gid`'s group; the first to join a chat's group owns it."""
    return await Poster.join(api, code, open_gid)


async def owner_and_member(api: Api) -> tuple[Poster, Poster]:
    return await member_of(api, "olivia"), await member_of(api, "bob")
