"""Live events share their event-wide loaders between subscribers, never a viewer's own: two
members on one event each see their own vote and their own membership."""

from typing import Any

from tests.actors import Member, join
from tests.conftest import LiveServer
from tests.live.feeds import until_feed_is_live
from tests.ws_client import TRANSPORT_WS, GraphQLSocket

FEED = """
subscription($groupId: ID!) {
  groupFeed(groupId: $groupId) {
    __typename
    ... on MemberJoined { member { status user { id } } }
    ... on PollUpdated { item { poll { voterCount viewerOptionIds } } }
    ... on GroupUpdated { group { title viewerMembership { role user { id } } } }
  }
}
"""
POST_POLL = """
mutation($groupId: ID!) {
  postItem(input: {groupId: $groupId, type: POLL, text: "Lunch?",
                   poll: {options: ["noodles", "dumplings"]}}) {
    id poll { options { id } }
  }
}
"""
VOTE = """
mutation($itemId: ID!, $optionIds: [ID!]!) { vote(itemId: $itemId, optionIds: $optionIds) { id } }
"""
RENAME = """
mutation($groupId: ID!) { updateGroup(input: {groupId: $groupId, title: "Lunch club"}) { id } }
"""


async def listening(live: LiveServer, member: Member) -> GraphQLSocket:
    socket = await GraphQLSocket.open(live.ws_url, TRANSPORT_WS)
    assert (await socket.init(member.token))["type"] == "connection_ack"
    await socket.subscribe(FEED, {"groupId": member.group_id})
    return socket


async def next_event(socket: GraphQLSocket, typename: str) -> dict[str, Any]:
    event: dict[str, Any] = (await socket.data())["groupFeed"]
    assert event["__typename"] == typename, event
    return event


async def test_two_voters_on_one_poll_event_each_see_their_own_vote(live: LiveServer) -> None:
    alice, bob = await join(live.api, "alice"), await join(live.api, "bob")
    poll = (await alice.data(POST_POLL, groupId=alice.group_id))["postItem"]
    noodles, dumplings = (option["id"] for option in poll["poll"]["options"])
    sockets = [await listening(live, alice), await listening(live, bob)]
    await until_feed_is_live(alice, *sockets)

    await alice.data(VOTE, itemId=poll["id"], optionIds=[noodles])
    seen_by_alice = (await next_event(sockets[0], "PollUpdated"))["item"]["poll"]
    seen_by_bob = (await next_event(sockets[1], "PollUpdated"))["item"]["poll"]
    assert seen_by_alice == {"voterCount": 1, "viewerOptionIds": [noodles]}
    assert seen_by_bob == {"voterCount": 1, "viewerOptionIds": []}

    await bob.data(VOTE, itemId=poll["id"], optionIds=[dumplings])
    seen_by_alice = (await next_event(sockets[0], "PollUpdated"))["item"]["poll"]
    seen_by_bob = (await next_event(sockets[1], "PollUpdated"))["item"]["poll"]
    assert seen_by_alice == {"voterCount": 2, "viewerOptionIds": [noodles]}
    assert seen_by_bob == {"voterCount": 2, "viewerOptionIds": [dumplings]}
    for socket in sockets:
        await socket.close()


async def test_the_owner_and_a_member_each_see_their_own_membership_in_a_group_update(
    live: LiveServer,
) -> None:
    alice, bob = await join(live.api, "alice"), await join(live.api, "bob")
    sockets = [await listening(live, alice), await listening(live, bob)]
    await until_feed_is_live(alice, *sockets)

    await alice.data(RENAME, groupId=alice.group_id)

    for socket, member, role in ((sockets[0], alice, "OWNER"), (sockets[1], bob, "MEMBER")):
        group = (await next_event(socket, "GroupUpdated"))["group"]
        assert group["title"] == "Lunch club"
        assert group["viewerMembership"] == {"role": role, "user": {"id": member.user_id}}
        await socket.close()
