"""Live feeds as tests listen to them: the subscriptions, a socket on a group's feed, and barriers
that return once a subscription is live (the server sends no acknowledgement of its own)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from tests.actors import Member, User, join
from tests.ws_client import TRANSPORT_WS, GraphQLSocket

FEED = """
subscription($groupId: ID!, $afterSeq: Int) {
  groupFeed(groupId: $groupId, afterSeq: $afterSeq) {
    __typename
    ... on ItemPosted { seq item { text author { id } } }
    ... on ItemEdited { seq item { text } }
    ... on ItemDeleted { seq item { isDeleted } }
    ... on ItemPinned { seq pinned }
    ... on PollUpdated { seq item { poll { voterCount } } }
    ... on MemberJoined { member { status user { id } } }
    ... on MemberLeft { member { user { id } } }
    ... on MemberRemoved { member { status user { id } } }
    ... on MemberRoleChanged { member { role user { id } } }
    ... on GroupUpdated { group { title } }
  }
}
"""
MY_EVENTS = """
subscription {
  myEvents {
    __typename
    ... on JoinedGroup { group { openGId } member { status } }
    ... on RemovedFromGroup { group { openGId } member { status } }
  }
}
"""

MARKER_WAIT_S = 0.1
"""How long a marker is waited for before another is sent: one sent before the server had
subscribed is lost, and a live subscription hears one within milliseconds."""
LIVE_DEADLINE_S = 5.0


class Listener(Protocol):
    async def data(self, timeout_s: float = ...) -> dict[str, Any]:
        """The data of the next result, within `timeout_s`."""
        ...


async def feed_socket(
    ws_url: str,
    user: User,
    group_id: str,
    *,
    after_seq: int | None = None,
    protocol: str = TRANSPORT_WS,
) -> GraphQLSocket:
    """A socket `user` opened and subscribed to the group's feed (live once a barrier says so)."""
    socket = await GraphQLSocket.open(ws_url, protocol)
    ack = await socket.init(user.token)
    assert ack["type"] == "connection_ack", ack
    await socket.subscribe(FEED, {"groupId": group_id, "afterSeq": after_seq})
    return socket


async def until_feed_is_live(member: Member, *listeners: Listener) -> None:
    """Return once every listener's groupFeed subscription hears the group of `member`'s chat:
    a newcomer joins it, and another while one does not come through. (Joins, not renames: an
    event shows the group as it is when delivered, so a late rename would wear a later title.)"""
    chat = member.joined["group"]["openGId"]

    async def newcomer_joins() -> str:
        newcomer = await join(member.api, f"marker-{uuid.uuid4().hex[:8]}", chat)
        return newcomer.user_id

    def heard(data: dict[str, Any]) -> str:
        event = data["groupFeed"]
        assert event["__typename"] == "MemberJoined", event
        user_id: str = event["member"]["user"]["id"]
        return user_id

    await _until_heard(newcomer_joins, heard, listeners)


async def until_my_events_are_live(viewer: User, listener: Listener) -> None:
    """Return once the viewer's myEvents subscription hears them: they join the group of a new
    chat, and of another while they do not hear of it."""

    async def join_a_chat() -> str:
        chat = f"G-marker-{uuid.uuid4().hex[:8]}"
        await viewer.join(chat)
        return chat

    def heard(data: dict[str, Any]) -> str:
        event = data["myEvents"]
        assert event["__typename"] == "JoinedGroup", event
        chat: str = event["group"]["openGId"]
        return chat

    await _until_heard(join_a_chat, heard, [listener])


async def _until_heard(
    mark: Callable[[], Awaitable[str]],
    heard: Callable[[dict[str, Any]], str],
    listeners: Sequence[Listener],
) -> None:
    """Each listener reads up to the latest marker: events of one channel arrive in order, so
    the markers sent before it, if they came at all, came first and none is left to read."""
    deadline = asyncio.get_running_loop().time() + LIVE_DEADLINE_S
    while True:
        marker = await mark()
        try:
            for listener in listeners:
                while heard(await listener.data(MARKER_WAIT_S)) != marker:
                    continue  # an earlier marker, come late
            return
        except TimeoutError:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no subscription live within {LIVE_DEADLINE_S} s") from None
