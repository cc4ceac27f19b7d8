"""Replies: any item can be replied to, and a question's replies page oldest first."""

from tests.actors import join, join_in_order
from tests.conftest import Api
from tests.items.documents import image

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


async def test_a_reply_points_to_its_parent_and_the_parent_counts_live_replies(
    api: Api,
) -> None:
    olivia, bob = await join_in_order(api, "olivia", "bob")
    question = await olivia.post(type="QUESTION", text="Who brings drinks?")
    answers = [await bob.say(f"answer {n}", replyTo=question["id"]) for n in range(3)]
    assert [answer["replyTo"] for answer in answers] == [{"id": question["id"]}] * 3
    assert (await bob.feed(types=["QUESTION"]))[0]["replyCount"] == 3
    await bob.delete(answers[1])
    assert (await bob.feed(types=["QUESTION"]))[0]["replyCount"] == 2


async def test_any_item_can_be_replied_to_but_not_a_deleted_one(api: Api) -> None:
    alice = await join(api, "alice")
    photo = await alice.post(type="IMAGE", media=[image("https://cdn.example.com/a.jpg")])
    reply = await alice.say("nice", replyTo=photo["id"])
    assert reply["replyTo"] == {"id": photo["id"]}
    await alice.delete(photo)
    assert await alice.post_error(text="late", replyTo=photo["id"]) == "BAD_USER_INPUT"


async def test_replies_page_oldest_first(api: Api) -> None:
    olivia, bob = await join_in_order(api, "olivia", "bob")
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
