"""What item tests send and read: the item documents, and the inputs of each item type."""

from typing import Any

ITEM = """
fragment Item on GroupItem {
  id groupId seq type text author { id }
  media { url mime size width height duration name }
  link { url title }
  poll {
    options { id text voteCount }
    isMultipleChoice isAnonymous closesAt isClosed voterCount viewerOptionIds
  }
  replyTo { id }
  replyCount isDeleted isPinned editedAt deletedAt clientId
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
