"""What poll tests send and read: a ballot, and the poll as each member sees it."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.actors import Member

POLL_VIEW = """
fragment PollView on GroupItem {
  id
  poll {
    isMultipleChoice isAnonymous closesAt isClosed voterCount viewerOptionIds
    options { id text voteCount voters { id } }
  }
}
"""
VOTE = (
    "mutation($itemId: ID!, $optionIds: [ID!]!) "
    "{ vote(itemId: $itemId, optionIds: $optionIds) { ...PollView } }" + POLL_VIEW
)
NEWEST_ITEM = (
    "query($id: ID!) { group(id: $id) { items(first: 1) { edges { node { ...PollView } } } } }"
    + POLL_VIEW
)


async def drinks_poll(author: "Member", **settings: Any) -> dict[str, Any]:
    """`author` asks the group what to drink: tea, coffee or juice (the poll's item)."""
    poll = {"options": ["tea", "coffee", "juice"], **settings}
    return await author.post(type="POLL", text="What to drink?", poll=poll)


async def poll_seen_by(member: "Member") -> dict[str, Any]:
    """The poll of the group's newest item, as `member` sees it."""
    edges = (await member.data(NEWEST_ITEM, id=member.group_id))["group"]["items"]["edges"]
    poll: dict[str, Any] = edges[0]["node"]["poll"]
    return poll


def option_ids_of(item: dict[str, Any]) -> list[str]:
    return [option["id"] for option in item["poll"]["options"]]


def vote_counts(poll: dict[str, Any]) -> list[int]:
    return [option["voteCount"] for option in poll["options"]]
