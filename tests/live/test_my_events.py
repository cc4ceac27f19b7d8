"""myEvents: a user hears about groups they join and removals, wherever they happen."""

from tests.actors import User, join, login
from tests.conftest import LiveServer
from tests.live.feeds import MY_EVENTS, until_my_events_are_live
from tests.ws_client import GraphQLSocket


async def _listening(live: LiveServer, user: User) -> GraphQLSocket:
    """A socket on `user`'s events, live: they have heard of a join of their own on it."""
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.init(user.token)
    await socket.subscribe(MY_EVENTS)
    await until_my_events_are_live(user, socket)
    return socket


async def test_a_user_hears_of_joining_a_group_and_of_being_banned(live: LiveServer) -> None:
    owner = await join(live.api, "owner", "G1")
    bob = await login(live.api, "bob")
    socket = await _listening(live, bob)
    bob = await bob.join("G1")
    assert (await socket.data())["myEvents"] == {
        "__typename": "JoinedGroup",
        "group": {"openGId": "G1"},
        "member": {"status": "ACTIVE"},
    }
    await owner.remove(bob, ban=True)
    assert (await socket.data())["myEvents"] == {
        "__typename": "RemovedFromGroup",
        "group": {"openGId": "G1"},
        "member": {"status": "BANNED"},
    }
    await socket.close()


async def test_a_user_hears_nothing_of_other_users_joins(live: LiveServer) -> None:
    bob = await login(live.api, "bob")
    socket = await _listening(live, bob)
    await join(live.api, "carol", "G1")
    await bob.join("G2")
    # Bob listened before carol joined, and the first he hears after is his own join: carol's
    # never reached him.
    assert (await socket.data())["myEvents"]["group"] == {"openGId": "G2"}
    await socket.close()
