"""Helpers of the poll tests: posting a poll, casting a ballot, and the poll as a member sees it."""

from typing import Any

from tests.conftest import Api

POLL_VIEW = """
fragment PollView on GroupItem {
  id
  poll {
    isMultipleChoice isAnonymous closesAt isClosed voterCount viewerOptionIds
    options { id text voteCount voters { id } }
  }
}
"""
POST = "mutation($input: PostItemInput!) { postItem(input: $input) { ...PollView } }" + POLL_VIEW
VOTE = (
    "mutation($itemId: ID!, $optionIds: [ID!]!) "
    "{ vote(itemId: $itemId, optionIds: $optionIds) { ...PollView } }" + POLL_VIEW
)
NEWEST_ITEM = (
    "query($id: ID!) { group(id: $id) { items(first: 1) { edges { node { ...PollView } } } } }"
    + POLL_VIEW
)


async def post_poll(api: Api, token: str, group_id: str, **poll: Any) -> dict[str, Any]:
    poll.setdefault("options", ["tea", "coffee", "juice"])
    variables = {
        "input": {"groupId": group_id, "type": "POLL", "text": "What to drink?", "poll": poll}
    }
    item: dict[str, Any] = (await api.data(POST, variables, token=token))["postItem"]
    return item


async def cast_vote(api: Api, token: str, item_id: str, option_ids: list[str]) -> dict[str, Any]:
    variables = {"itemId": item_id, "optionIds": option_ids}
    poll: dict[str, Any] = (await api.data(VOTE, variables, token=token))["vote"]["poll"]
    return poll


async def poll_seen_by(api: Api, token: str, group_id: str) -> dict[str, Any]:
    """The poll of the group's newest item, as the holder of `token` sees it."""
    edges = (await api.data(NEWEST_ITEM, {"id": group_id}, token=token))["group"]["items"]["edges"]
    poll: dict[str, Any] = edges[0]["node"]["poll"]
    return poll


def option_ids_of(item: dict[str, Any]) -> list[str]:
    return [option["id"] for option in item["poll"]["options"]]


def vote_counts(poll: dict[str, Any]) -> list[int]:
    return [option["voteCount"] for option in poll["options"]]
