"""What the response cache's freshness tests read: a rich group page, the viewer's own profile,
and whether a read was answered from the cache."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.actors import Member, User, join_in_order
from tests.conftest import Api
from tests.metrics import counted
from tests.polls.documents import drinks_poll

PAGE = """
query Page($id: ID!) {
  group(id: $id) {
    title memberCount lastSeq
    viewerMembership { role }
    viewerUnread { count mentionCount firstUnreadSeq }
    pinnedItems { id }
    members(first: 50) {
      edges { node { role status displayName user { id nickname avatarUrl } } }
    }
    items(first: 50) {
      edges {
        node {
          id seq type text isDeleted isPinned editedAt replyCount
          author { id nickname avatarUrl }
          acceptedAnswer { id text }
          poll { isClosed closesAt voterCount viewerOptionIds options { id voteCount } }
        }
      }
    }
  }
}
"""
ME = """
query Me {
  viewer {
    id nickname avatarUrl
    unread { count mentionCount groupCount }
    notifications(first: 20) { edges { node { kind readAt item { id } actor { id } } } }
  }
}
"""
AVATAR = "https://thirdwx.qlogo.cn/mmopen/vi_32/bob/132"


@dataclass(frozen=True)
class Club:
    """Alice's group: bob said hello, carol asked what to drink, alice asked who has the keys."""

    alice: Member
    bob: Member
    carol: Member
    hello: dict[str, Any]
    poll: dict[str, Any]
    question: dict[str, Any]


async def hiking_club(api: Api) -> Club:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    hello = await bob.say("hello")
    poll = await drinks_poll(carol)
    question = await alice.post(type="QUESTION", text="Who has the keys?")
    return Club(alice, bob, carol, hello, poll, question)


async def read_page(member: Member) -> dict[str, Any]:
    group: dict[str, Any] = (await member.data(PAGE, id=member.group_id))["group"]
    return group


async def read_page_by_get(member: Member) -> dict[str, Any]:
    params = {"query": PAGE, "variables": json.dumps({"id": member.group_id})}
    headers = {"Authorization": f"Bearer {member.token}"}
    response = await member.api.http.get("/graphql", params=params, headers=headers)
    body = response.json()
    assert "errors" not in body, body
    group: dict[str, Any] = body["data"]["group"]
    return group


async def read_me(user: User) -> dict[str, Any]:
    viewer: dict[str, Any] = (await user.data(ME))["viewer"]
    return viewer


async def page_from_cache(member: Member) -> dict[str, Any]:
    """`member`'s page, read twice: the second read must be served from the cache, unchanged."""
    return await twice_from_cache(member.api, lambda: read_page(member))


async def me_from_cache(user: User) -> dict[str, Any]:
    return await twice_from_cache(user.api, lambda: read_me(user))


async def twice_from_cache(
    api: Api, read: Callable[[], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    first = await read()
    hits_before = await hits(api)
    assert await read() == first
    assert await hits(api) == hits_before + 1, "the second read was not served from the cache"
    return first


async def hits(api: Api) -> float:
    return await cache_count(api, "hit")


async def cache_count(api: Api, result: str) -> float:
    """How many queries the response cache answered with `result` (hit, kept, not_kept)."""
    return await counted(api, "groupql_response_cache_total", result=result)


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def item_on(page: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(node for node in nodes(page["items"]) if node["id"] == item_id)


def poll_on(page: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    poll: dict[str, Any] = item_on(page, item["id"])["poll"]
    return poll


def members_on(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["user"]["id"]: node for node in nodes(page["members"])}


def vote_counts(poll: dict[str, Any]) -> list[int]:
    return [option["voteCount"] for option in poll["options"]]
