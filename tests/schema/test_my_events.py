"""myEvents: a user hears about groups they join and removals, wherever they happen."""

import asyncio

from tests.conftest import LiveServer
from tests.ws_client import GraphQLSocket

MY_EVENTS = """
subscription {
  myEvents {
    __typename
    ... on JoinedGroup { group { openGId } member { status } }
    ... on RemovedFromGroup { group { openGId } member { status } }
  }
}
"""


async def _listening(live: LiveServer, token: str) -> GraphQLSocket:
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.init(token)
    await socket.subscribe(MY_EVENTS)
    await asyncio.sleep(0.1)
    return socket


async def test_a_user_hears_of_joining_a_group_and_of_being_banned(live: LiveServer) -> None:
    owner = await live.api.login_as("owner")
    group_id = (await live.api.join("owner", "G1"))["group"]["id"]
    bob = await live.api.login_as("bob")
    socket = await _listening(live, bob)
    await live.api.join("bob", "G1")
    assert (await socket.data())["myEvents"] == {
        "__typename": "JoinedGroup",
        "group": {"openGId": "G1"},
        "member": {"status": "ACTIVE"},
    }
    bob_id = (await live.api.data("{ viewer { id } }", token=bob))["viewer"]["id"]
    await live.api.data(
        "mutation($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u, ban: true) { id } }",
        {"g": group_id, "u": bob_id},
        token=owner,
    )
    assert (await socket.data())["myEvents"] == {
        "__typename": "RemovedFromGroup",
        "group": {"openGId": "G1"},
        "member": {"status": "BANNED"},
    }
    await socket.close()


async def test_a_user_hears_nothing_of_other_users_joins(live: LiveServer) -> None:
    bob = await live.api.login_as("bob")
    socket = await _listening(live, bob)
    await live.api.join("carol", "G1")
    await live.api.join("bob", "G2")
    # The first event bob hears is his own join: carol's never reached him.
    assert (await socket.data())["myEvents"]["group"] == {"openGId": "G2"}
    await socket.close()
