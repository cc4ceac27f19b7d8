"""Muting: a muted member reads and votes but cannot post until the mute ends."""

from datetime import datetime, timedelta

from tests.conftest import Api, Clock
from tests.members import MUTE, SET_ROLE, join_in_order
from tests.schema.moderation import FEED, ok, post_error, posts, refusal, viewer_membership

POST_POLL = """
mutation($groupId: ID!) {
  postItem(
    input: {groupId: $groupId, type: POLL, text: "Lunch?", poll: {options: ["rice", "noodles"]}}
  ) { id poll { options { id } } }
}
"""
VOTE = """
mutation($itemId: ID!, $optionIds: [ID!]!) {
  vote(itemId: $itemId, optionIds: $optionIds) { poll { voterCount viewerOptionIds } }
}
"""


async def test_a_muted_member_cannot_post_until_the_mute_ends(api: Api, clock: Clock) -> None:
    owner, admin, bob = await join_in_order(api, "owner", "admin", "bob")
    await ok(api, SET_ROLE, owner, admin, role="ADMIN")
    until = clock.now + timedelta(hours=1)
    muted = await ok(api, MUTE, admin, bob, until=until.isoformat())
    assert muted["isMuted"] is True
    assert datetime.fromisoformat(muted["mutedUntil"]) == until
    assert await post_error(api, bob) == "FORBIDDEN"
    membership = await viewer_membership(api, bob)
    assert membership["isMuted"] is True
    assert datetime.fromisoformat(membership["mutedUntil"]) == until
    clock.advance(hours=2)
    assert (await viewer_membership(api, bob))["isMuted"] is False
    await posts(api, bob)


async def test_muting_until_null_unmutes(api: Api, clock: Clock) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await ok(api, MUTE, owner, bob, until=(clock.now + timedelta(hours=1)).isoformat())
    unmuted = await ok(api, MUTE, owner, bob, until=None)
    assert unmuted == {"isMuted": False, "mutedUntil": None}
    await posts(api, bob)


async def test_muting_until_a_past_time_is_refused(api: Api, clock: Clock) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    past = (clock.now - timedelta(minutes=1)).isoformat()
    assert await refusal(api, MUTE, owner, bob, until=past) == "BAD_USER_INPUT"
    assert (await viewer_membership(api, bob))["isMuted"] is False


async def test_a_mute_end_without_a_timezone_is_refused(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    code = await refusal(api, MUTE, owner, bob, until="2099-01-01T00:00:00")
    assert code == "BAD_USER_INPUT"


async def test_an_admin_cannot_mute_another_admin_but_the_owner_can(api: Api, clock: Clock) -> None:
    owner, ann, ben = await join_in_order(api, "owner", "ann", "ben")
    await ok(api, SET_ROLE, owner, ann, role="ADMIN")
    await ok(api, SET_ROLE, owner, ben, role="ADMIN")
    until = (clock.now + timedelta(hours=1)).isoformat()
    assert await refusal(api, MUTE, ann, ben, until=until) == "FORBIDDEN"
    assert (await viewer_membership(api, ben))["isMuted"] is False
    assert (await ok(api, MUTE, owner, ben, until=until))["isMuted"] is True


async def test_nobody_can_mute_the_owner(api: Api, clock: Clock) -> None:
    owner, admin = await join_in_order(api, "owner", "admin")
    await ok(api, SET_ROLE, owner, admin, role="ADMIN")
    until = (clock.now + timedelta(hours=1)).isoformat()
    assert await refusal(api, MUTE, admin, owner, until=until) == "FORBIDDEN"


async def test_a_muted_member_still_reads_the_feed(api: Api, clock: Clock) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await posts(api, owner)
    await ok(api, MUTE, owner, bob, until=(clock.now + timedelta(hours=1)).isoformat())
    feed = (await api.data(FEED, {"id": bob.group_id}, token=bob.token))["group"]["items"]
    assert [edge["node"]["text"] for edge in feed["edges"]] == ["hello"]


async def test_a_muted_member_still_votes(api: Api, clock: Clock) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    poll = (await api.data(POST_POLL, {"groupId": owner.group_id}, token=owner.token))["postItem"]
    await ok(api, MUTE, owner, bob, until=(clock.now + timedelta(hours=1)).isoformat())
    option_id = poll["poll"]["options"][0]["id"]
    variables = {"itemId": poll["id"], "optionIds": [option_id]}
    voted = (await api.data(VOTE, variables, token=bob.token))["vote"]["poll"]
    assert voted == {"voterCount": 1, "viewerOptionIds": [option_id]}
