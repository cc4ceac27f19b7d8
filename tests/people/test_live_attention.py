"""myEvents carries what brings people back: new notifications, and each change of a group's
unread counts, so a chat list's badges stay right without polling."""

from typing import Any

from tests.actors import Member, User, join, join_in_order
from tests.conftest import LiveServer
from tests.live.feeds import until_my_events_are_live
from tests.people.documents import MARK_READ, POST_MENTIONING, SET_LEVEL
from tests.ws_client import GraphQLSocket

ATTENTION = """
subscription {
  myEvents {
    __typename
    ... on JoinedGroup { group { openGId } member { status } }
    ... on NotificationAdded { notification { kind group { id } actor { id } item { id } } }
    ... on UnreadChanged { group { id } unread { count mentionCount firstUnreadSeq } }
  }
}
"""


async def listening(live: LiveServer, user: User) -> GraphQLSocket:
    socket = await GraphQLSocket.open(live.ws_url)
    await socket.init(user.token)
    await socket.subscribe(ATTENTION)
    await until_my_events_are_live(user, socket)
    return socket


async def events(socket: GraphQLSocket, count: int) -> list[dict[str, Any]]:
    return [(await socket.data())["myEvents"] for _ in range(count)]


async def post(by: Member, **item: Any) -> dict[str, Any]:
    posted = await by.data(POST_MENTIONING, input={"groupId": by.group_id, "text": "x", **item})
    return posted["postItem"]  # type: ignore[no-any-return]


def unread(count: int, mentions: int, first: int | None) -> dict[str, Any]:
    return {"count": count, "mentionCount": mentions, "firstUnreadSeq": first}


async def test_badges_follow_posts_mentions_and_reading_elsewhere(live: LiveServer) -> None:
    alice, bob = await join_in_order(live.api, "alice", "bob")
    socket = await listening(live, bob)

    await alice.say("hello")
    [changed] = await events(socket, 1)
    assert changed == {
        "__typename": "UnreadChanged",
        "group": {"id": bob.group_id},
        "unread": unread(1, 0, 1),
    }
    item = await post(alice, mentions=[bob.user_id])
    heard = await events(socket, 2)
    assert {event["__typename"] for event in heard} == {"UnreadChanged", "NotificationAdded"}
    [badge] = [event for event in heard if event["__typename"] == "UnreadChanged"]
    assert badge["unread"] == unread(2, 1, 1)
    [added] = [event for event in heard if event["__typename"] == "NotificationAdded"]
    assert added["notification"] == {
        "kind": "MENTION",
        "group": {"id": bob.group_id},
        "actor": {"id": alice.user_id},
        "item": {"id": item["id"]},
    }

    # Read on another device: this one's badge clears.
    await bob.data(MARK_READ, groupId=bob.group_id, seq=2)
    [cleared] = await events(socket, 1)
    assert cleared["unread"] == unread(0, 0, None)
    await socket.close()


async def test_at_all_is_heard_by_members_but_not_its_author(live: LiveServer) -> None:
    owner, bob = await join_in_order(live.api, "owner", "bob")
    bobs = await listening(live, bob)
    owners = await listening(live, owner)

    await post(owner, mentionAll=True)
    heard = await events(bobs, 2)
    kinds = {e["__typename"]: e for e in heard}
    assert kinds["NotificationAdded"]["notification"]["kind"] == "MENTION_ALL"
    assert kinds["UnreadChanged"]["unread"] == unread(1, 1, 1)
    # The author hears nothing: their post is read, and their @all is not for them.
    await bob.say("ok")
    [own] = await events(owners, 1)
    assert own["__typename"] == "UnreadChanged" and own["unread"] == unread(1, 0, 2)
    await bobs.close()
    await owners.close()


async def test_a_group_joined_while_listening_is_followed_and_a_left_one_is_not(
    live: LiveServer,
) -> None:
    alice = await join(live.api, "alice", "G7")
    bob = await join(live.api, "bob", "G8")
    socket = await listening(live, bob)
    bob7 = await bob.join("G7")
    [joined] = await events(socket, 1)
    assert joined["__typename"] == "JoinedGroup"
    await alice.say("welcome")
    [changed] = await events(socket, 1)
    assert changed["group"] == {"id": bob7.group_id}
    await bob7.leave()
    await alice.say("after bob left")
    other = await join(live.api, "carol", "G8")
    await other.say("in G8")
    [next_heard] = await events(socket, 1)
    assert next_heard["group"] == {"id": bob.group_id}  # nothing of G7 after leaving
    await socket.close()


async def test_join_requests_reach_the_admins_live(live: LiveServer) -> None:
    owner = await join(live.api, "owner")
    await owner.update_group(joinPolicy="APPROVAL")
    socket = await listening(live, owner)
    newcomer = await join(live.api, "newcomer")
    [request] = await events(socket, 1)
    assert request["__typename"] == "NotificationAdded"
    assert request["notification"]["kind"] == "JOIN_REQUEST"
    assert request["notification"]["actor"] == {"id": newcomer.user_id}
    await socket.close()


async def test_turning_a_group_off_stops_its_at_all_on_an_open_socket(live: LiveServer) -> None:
    owner, bob = await join_in_order(live.api, "owner", "bob")
    socket = await listening(live, bob)
    await bob.data(SET_LEVEL, groupId=bob.group_id, level="NONE")
    await post(owner, mentionAll=True)
    await post(owner, mentions=[bob.user_id])
    # The badges still move; no notification comes (neither was made for bob).
    heard = await events(socket, 2)
    assert [event["__typename"] for event in heard] == ["UnreadChanged", "UnreadChanged"]
    assert heard[1]["unread"] == unread(2, 2, 1)
    await socket.close()
