"""Live feeds show a held item's place at once, and its content to each viewer once they may
see it: the admins at once, the others when it is kept."""

from tests.actors import join_in_order
from tests.conftest import LiveServer
from tests.live.feeds import feed_socket, until_feed_is_live

RESOLVE = """
mutation($itemId: ID!) { resolveReview(itemId: $itemId, action: KEEP) { id } }
"""


async def test_a_held_item_reaches_each_feed_as_its_viewer_may_see_it(live: LiveServer) -> None:
    owner, author, reader = await join_in_order(live.api, "owner", "author", "reader")
    readers = await feed_socket(live.ws_url, reader, reader.group_id)
    owners = await feed_socket(live.ws_url, owner, owner.group_id)
    await until_feed_is_live(owner, readers, owners)

    held = await author.say("is this allowed? dev-review")
    seen_by_reader = (await readers.data())["groupFeed"]
    seen_by_owner = (await owners.data())["groupFeed"]
    assert seen_by_reader["__typename"] == seen_by_owner["__typename"] == "ItemPosted"
    assert seen_by_reader["seq"] == seen_by_owner["seq"] == held["seq"]
    assert seen_by_reader["item"]["text"] is None
    assert seen_by_owner["item"]["text"] == "is this allowed? dev-review"

    await owner.data(RESOLVE, itemId=held["id"])
    published = (await readers.data())["groupFeed"]
    assert published == {
        "__typename": "ItemEdited",
        "seq": held["seq"],
        "item": {"text": "is this allowed? dev-review"},
    }
    await readers.close()
    await owners.close()
